using Microsoft.AspNetCore.SignalR;

namespace Sfu.Host.Signaling;

/// <summary>
/// Signaling for one participant's connection: join/leave and the SDP offer/answer exchange
/// of its single RTCPeerConnection.
/// </summary>
public sealed class SfuHub : Hub<ISfuClient>
{
    public const string Path = "/hubs/sfu";

    public Task<JoinResult> Join(string room, string displayName)
        => throw new HubException("Joining is not available yet.");

    public Task Leave() => Task.CompletedTask;

    /// <summary>A client-initiated offer; the answer is returned.</summary>
    public Task<string> Offer(string sdp) => throw new HubException("Not available yet.");

    /// <summary>The client's answer to the last server-initiated offer.</summary>
    public Task Answer(string sdp) => throw new HubException("Not available yet.");
}
