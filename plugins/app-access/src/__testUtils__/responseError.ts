/** An error shaped like ResponseError.fromResponse produces. */
export function responseError(status: number, name: string, message: string) {
  const cause = Object.assign(new Error(message), { name });
  return Object.assign(new Error(`Request failed with ${status}`), {
    name: 'ResponseError',
    body: {
      error: { name, message },
      response: { statusCode: status },
    },
    cause,
    response: { status },
    statusCode: status,
  });
}
