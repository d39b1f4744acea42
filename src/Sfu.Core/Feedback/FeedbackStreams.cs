using System.Collections.Concurrent;
using System.Collections.Immutable;
using Sfu.Core.Streams;

namespace Sfu.Core.Feedback;

/// <summary>
/// What one peer's RTCP can be about, by SSRC: the streams it sends us and the streams we send
/// it. Changed on the signaling path; looked up on the media path without a lock of its own; listed as
/// immutable snapshots for the reporters.
/// </summary>
public sealed class FeedbackStreams
{
    private readonly ConcurrentDictionary<uint, RtpReceiveStream> _received = new();
    private readonly ConcurrentDictionary<uint, IOutboundStream> _sent = new();
    private readonly Lock _gate = new();
    private ImmutableArray<RtpReceiveStream> _receivedList = [];
    private ImmutableArray<IOutboundStream> _sentList = [];

    /// <summary>The streams the peer sends us.</summary>
    public ImmutableArray<RtpReceiveStream> Received => _receivedList;

    /// <summary>The streams we send the peer.</summary>
    public ImmutableArray<IOutboundStream> Sent => _sentList;

    public bool TryGetReceived(uint ssrc, out RtpReceiveStream stream) => _received.TryGetValue(ssrc, out stream!);

    public bool TryGetSent(uint ssrc, out IOutboundStream stream) => _sent.TryGetValue(ssrc, out stream!);

    public void Add(RtpReceiveStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        lock (_gate)
        {
            _received[stream.Ssrc] = stream;
            _receivedList = _receivedList.Add(stream);
        }
    }

    public void Remove(RtpReceiveStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        lock (_gate)
        {
            _received.TryRemove(new KeyValuePair<uint, RtpReceiveStream>(stream.Ssrc, stream));
            _receivedList = _receivedList.Remove(stream);
        }
    }

    public void Add(IOutboundStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        lock (_gate)
        {
            _sent[stream.Stream.Ssrc] = stream;
            _sentList = _sentList.Add(stream);
        }
    }

    public void Remove(IOutboundStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        lock (_gate)
        {
            _sent.TryRemove(new KeyValuePair<uint, IOutboundStream>(stream.Stream.Ssrc, stream));
            _sentList = _sentList.Remove(stream);
        }
    }
}
