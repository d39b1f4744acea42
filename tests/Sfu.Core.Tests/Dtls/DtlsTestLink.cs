using Sfu.Core.Dtls;

namespace Sfu.Core.Tests.Dtls;

/// <summary>
/// In-memory one-way link: what one transport sends is enqueued into <see cref="Target"/>.
/// <see cref="Drop"/> sees the 1-based datagram index and bytes and may drop it;
/// <see cref="Garbage"/> injects random datagrams in front of every real one.
/// </summary>
internal sealed class DtlsTestLink : IDtlsDatagramSender
{
    private readonly Lock _gate = new();
    private int _sent;
    private int _dropped;

    public DtlsTransport? Target { get; set; }

    public Func<int, byte[], bool>? Drop { get; init; }

    public Random? Garbage { get; init; }

    public int Sent => Volatile.Read(ref _sent);

    public int Dropped => Volatile.Read(ref _dropped);

    public void Send(ReadOnlySpan<byte> datagram)
    {
        int index = Interlocked.Increment(ref _sent);
        if (Garbage is not null)
        {
            byte[] noise;
            lock (_gate)
            {
                noise = new byte[Garbage.Next(0, 300)];
                Garbage.NextBytes(noise);
            }

            _ = Target?.EnqueueIncoming(noise);
        }

        if (Drop is not null && Drop(index, datagram.ToArray()))
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        _ = Target?.EnqueueIncoming(datagram);
    }
}
