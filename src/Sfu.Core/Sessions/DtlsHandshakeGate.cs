namespace Sfu.Core.Sessions;

/// <summary>
/// How many DTLS handshakes run at once on the server. A handshake holds a worker thread while
/// it waits for the peer's flights, so a crowd of peers that complete ICE and then say nothing
/// would otherwise hold a thread each; here at most <c>inFlight</c> run, the next
/// <c>queue</c> wait without a thread (an awaited semaphore) until a turn or their deadline,
/// and any beyond are refused at once. Any thread.
/// </summary>
public sealed class DtlsHandshakeGate : IDisposable
{
    private readonly SemaphoreSlim _turns;
    private int _waiting;
    private int _running;

    /// <param name="inFlight">Handshakes at once; 0 means no bound.</param>
    /// <param name="queue">Handshakes waiting at most; 0 means none wait (refused when all turns are taken).</param>
    public DtlsHandshakeGate(int inFlight, int queue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inFlight);
        ArgumentOutOfRangeException.ThrowIfNegative(queue);
        _turns = new SemaphoreSlim(inFlight == 0 ? int.MaxValue : inFlight);
        QueueLimit = queue;
    }

    public int QueueLimit { get; }

    /// <summary>Handshakes running now.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Handshakes waiting for a turn now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>
    /// Waits for a turn. <see cref="DtlsGateResult.Entered"/>: the caller runs its handshake
    /// and then calls <see cref="Exit"/>; otherwise it must not.
    /// </summary>
    public async Task<DtlsGateResult> EnterAsync(CancellationToken deadline)
    {
        if (!_turns.Wait(0, CancellationToken.None))
        {
            if (Interlocked.Increment(ref _waiting) > QueueLimit)
            {
                Interlocked.Decrement(ref _waiting);
                return DtlsGateResult.Refused;
            }

            try
            {
                await _turns.WaitAsync(deadline).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return DtlsGateResult.TimedOut;
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }

        Interlocked.Increment(ref _running);
        return DtlsGateResult.Entered;
    }

    /// <summary>The handshake ended (either way): its turn goes to the next.</summary>
    public void Exit()
    {
        Interlocked.Decrement(ref _running);
        _turns.Release();
    }

    public void Dispose() => _turns.Dispose();
}
