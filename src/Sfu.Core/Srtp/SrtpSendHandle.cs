namespace Sfu.Core.Srtp;

/// <summary>
/// A sender's hold on the state of its SSRC in one <see cref="SrtpContext"/> (RFC 3711 §3.2.1:
/// the ROC and highest index), kept by whoever sends on that SSRC (a down-track) and filled by
/// the first <see cref="SrtpContext.ProtectRtp(Span{byte}, int, ref SrtpSendHandle, out int)"/>.
/// Later packets skip the context's lookup by SSRC: a subscriber of a room receives several
/// SSRCs, and at a fan-out of hundreds each lookup costs cache lines of its own. A handle filled
/// by another context or for another SSRC is refilled, never used.
/// </summary>
public struct SrtpSendHandle
{
    internal SrtpContext? Context;
    internal SrtpStreamState? Stream;
    internal uint Ssrc;
}
