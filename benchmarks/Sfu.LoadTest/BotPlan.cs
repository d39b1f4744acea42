namespace Sfu.LoadTest;

/// <summary>One participant of a scenario: where it joins, what it publishes, how many tracks it should receive.</summary>
internal sealed record BotPlan(string Room, string Name, bool PublishAudio, bool PublishVideo, int ExpectedTracks);
