namespace Sfu.Core.Net;

/// <summary>
/// Send batching for a thread that is not one of the media port's receive threads but causes
/// many sends per datagram it handles, as the cluster relay's receive thread does when one
/// relayed packet fans out to every local subscriber: its sends are queued and leave together
/// (one <c>sendmmsg</c>) when it calls <see cref="FlushSends"/>, as a media thread's do at the
/// end of each datagram.
/// </summary>
public interface ISendBatching
{
    /// <summary>
    /// Gives the calling thread a send batch of its own; null where sends are not batched.
    /// Dispose it on the same thread when that thread stops sending.
    /// </summary>
    IDisposable? BatchSendsOnThisThread();

    /// <summary>Sends what the calling thread has queued; nothing when it has no batch.</summary>
    void FlushSends();
}
