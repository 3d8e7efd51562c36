/**
 * Who a request is for and who filed it, as Teams cards name them: a
 * person's own request reads "Jane Doe's request for Figma Pro"; one filed
 * on her behalf "the request for Figma Pro for Jane Doe, filed by Sam
 * Manager" (grantee first). Names are already escaped by the caller.
 */
export type Parties = {
  /** Who filed the request. */
  requesterName: string;
  /** Who gets the access, when someone else filed it on their behalf. */
  granteeName?: string;
};

/** "Jane Doe's request for X", or "the request for X for Jane Doe, filed by Sam Manager". */
export function whoseRequest(
  parties: Parties,
  what: string,
  escape: (text: string) => string,
): string {
  return parties.granteeName
    ? `the request for ${what} for ${escape(
        parties.granteeName,
      )}, filed by ${escape(parties.requesterName)}`
    : `${escape(parties.requesterName)}'s request for ${what}`;
}

/** "Jane Doe asks for X", or "X for Jane Doe, filed by Sam Manager". */
export function asksFor(
  parties: Parties,
  what: string,
  escape: (text: string) => string,
): string {
  return parties.granteeName
    ? `${what} for ${escape(parties.granteeName)}, filed by ${escape(
        parties.requesterName,
      )}`
    : `${escape(parties.requesterName)} asks for ${what}`;
}

/** The fact rows naming the people: Requester, or For and Filed by. */
export function partyFacts(parties: Parties): Array<[string, string]> {
  return parties.granteeName
    ? [
        ['For', parties.granteeName],
        ['Filed by', parties.requesterName],
      ]
    : [['Requester', parties.requesterName]];
}

/** The grantee's ref when the request was filed on their behalf. */
export function onBehalfOf(request: {
  requester: string;
  grantee?: string;
}): string | undefined {
  return request.grantee && request.grantee !== request.requester
    ? request.grantee
    : undefined;
}
