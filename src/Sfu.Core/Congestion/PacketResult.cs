namespace Sfu.Core.Congestion;

/// <summary>
/// One packet we sent, as the receiver's transport-wide feedback reported it: when it left
/// (µs, our clock), its size, and when it arrived (µs, the receiver's clock), or that it did not;
/// <see cref="Probe"/> when it left while a bandwidth probe ran.
/// </summary>
public readonly record struct PacketResult(long SendMicros, int Size, bool Received, long ArrivalMicros, bool Probe = false);
