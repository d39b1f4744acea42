namespace Sfu.Host.Turn;

/// <summary>One entry of the browser's <c>RTCConfiguration.iceServers</c> (W3C WebRTC §4.2.1).</summary>
public sealed record IceServerInfo(IReadOnlyList<string> Urls, string Username, string Credential);
