/**
 * The person who holds (or will get) the access a request asks for: the
 * request's grantee (someone filed it on their behalf), else its requester.
 * Everything about access (grants, removal, "My access", peers) asks this
 * one function.
 */
export function granteeOf(request: {
  requester: string;
  grantee?: string | null;
}): string {
  return request.grantee || request.requester;
}
