namespace Sfu.LoadTest;

/// <summary>What the server says of one subscriber's downlink: its estimate and what the allocator gave its subscriptions, in bit/s.</summary>
internal sealed record DownlinkReading(long Estimate, long Allocated);
