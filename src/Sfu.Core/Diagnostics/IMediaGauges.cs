namespace Sfu.Core.Diagnostics;

/// <summary>What the gauges read when metrics are collected: how much the media plane holds right now.</summary>
public interface IMediaGauges
{
    int Rooms { get; }

    int Participants { get; }

    int PublishedTracks { get; }

    int Subscriptions { get; }
}
