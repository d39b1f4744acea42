namespace Sfu.Host.Tests;

/// <summary>Loss and repair over the sequence numbers <paramref name="From"/> to <paramref name="To"/>.</summary>
/// <param name="GapsOpened">Numbers seen missing at some point: the loss before repair.</param>
/// <param name="Late">Numbers that arrived after a later one: the repairs.</param>
/// <param name="Missing">Numbers that never arrived: the loss after repair.</param>
public sealed record WeriftSequenceRange(long From, long To, int GapsOpened, int Late, int Missing);
