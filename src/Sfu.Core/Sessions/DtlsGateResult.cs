namespace Sfu.Core.Sessions;

/// <summary>What waiting for a DTLS handshake turn came to.</summary>
public enum DtlsGateResult
{
    /// <summary>A turn: run the handshake, then give it back.</summary>
    Entered,

    /// <summary>As many handshakes wait already as the server queues.</summary>
    Refused,

    /// <summary>The handshake's deadline passed while it waited.</summary>
    TimedOut,
}
