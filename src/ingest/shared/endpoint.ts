// How the network formats print one end of a connection in event messages: IPv6 in brackets, port after a colon.

/** An address the record lacks prints as `?`. */
export const endpointText = (ip: string | undefined, port: number | undefined): string =>
  `${ip?.includes(':') ? `[${ip}]` : (ip ?? '?')}${port !== undefined ? `:${port}` : ''}`;
