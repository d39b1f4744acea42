using System.Threading.Channels;

namespace Sfu.Host.Cluster;

/// <summary>
/// A periodic beat that can also be brought forward: <see cref="WaitAsync"/> returns at the next
/// tick or as soon as someone calls <see cref="Nudge"/>, whichever is first; nudges while one is
/// pending count once. One waiter at a time.
/// </summary>
internal sealed class BeatOrNudge(TimeSpan interval) : IDisposable
{
    private readonly PeriodicTimer _timer = new(interval);
    private readonly Channel<bool> _nudges = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private Task<bool>? _tick;
    private Task<bool>? _nudge;

    /// <summary>Any thread.</summary>
    public void Nudge() => _nudges.Writer.TryWrite(true);

    /// <summary>True when it was nudged (else a tick came); null once <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task<bool?> WaitAsync(CancellationToken cancellationToken)
    {
        // The timer allows one pending wait and the channel's wait must not be lost either: a
        // wait that did not finish this time is kept for the next.
        _tick ??= _timer.WaitForNextTickAsync(cancellationToken).AsTask();
        _nudge ??= _nudges.Reader.WaitToReadAsync(cancellationToken).AsTask();
        try
        {
            Task first = await Task.WhenAny(_tick, _nudge).ConfigureAwait(false);
            if (first == _nudge && await _nudge.ConfigureAwait(false) && _nudges.Reader.TryRead(out _))
            {
                _nudge = null;
                return true;
            }

            bool ticking = await _tick.ConfigureAwait(false);
            _tick = null;
            return ticking ? false : null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public void Dispose() => _timer.Dispose();
}
