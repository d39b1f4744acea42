namespace Sfu.LoadTest;

/// <summary>A forwarder under load together with its publishers and subscribers.</summary>
internal interface ILoadTarget : IAsyncDisposable
{
    /// <summary>The process whose CPU time is charged to forwarding.</summary>
    int ServerProcessId { get; }

    /// <summary>Connects every participant and returns once media reaches all of them.</summary>
    Task StartAsync(Action<string> status, CancellationToken cancellationToken);

    ReceiveSample Sample();
}
