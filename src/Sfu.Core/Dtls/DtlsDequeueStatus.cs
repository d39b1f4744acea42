namespace Sfu.Core.Dtls;

/// <summary>Outcome of <see cref="DtlsDatagramQueue.Dequeue"/>.</summary>
internal enum DtlsDequeueStatus
{
    /// <summary>A datagram was copied out.</summary>
    Datagram,

    /// <summary>Nothing arrived within the wait.</summary>
    Timeout,

    /// <summary>The wait's cancellation token fired.</summary>
    Canceled,

    /// <summary>The queue was closed; nothing more will arrive.</summary>
    Closed,
}
