// How the network formats print one end of a connection in event messages: IPv6 in brackets, port after a colon.

export const endpointText = (ip: string, port: number | undefined): string => `${ip.includes(':') ? `[${ip}]` : ip}${port !== undefined ? `:${port}` : ''}`;
