// Reading the reasons the hub gives when it refuses a call.

/**
 * The server's own words for a refused hub call. SignalR prefixes them with
 * "An unexpected error occurred invoking 'Join' on the server. HubException: ", which is
 * noise to the person reading the page.
 */
export function hubErrorReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /HubException: (.*)$/s.exec(message)?.[1] ?? message;
}
