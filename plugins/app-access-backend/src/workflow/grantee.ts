/**
 * The person who holds (or will get) the access a request asks for. Today
 * always its requester; requests on behalf of someone else will name a
 * grantee, and everything about access (grants, removal, "My access")
 * asks this one function.
 */
export function granteeOf(request: { requester: string }): string {
  return request.requester;
}
