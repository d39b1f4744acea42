namespace Sfu.Core.Dtls;

/// <summary>Payload of <see cref="DtlsTransport.Closed"/>.</summary>
public sealed class DtlsClosedEventArgs : EventArgs
{
    internal DtlsClosedEventArgs(DtlsCloseReason reason, string message, byte? alert)
    {
        Reason = reason;
        Message = message;
        Alert = alert;
    }

    /// <summary>What ended the association.</summary>
    public DtlsCloseReason Reason { get; }

    /// <summary>Human-readable detail for logs.</summary>
    public string Message { get; }

    /// <summary>The alert description (RFC 5246 §7.2) for <see cref="DtlsCloseReason.PeerFatalAlert"/>, else null.</summary>
    public byte? Alert { get; }
}
