namespace Sfu.LoadTest;

/// <summary>
/// One participant of a scenario: where it joins, what it publishes, how many tracks it should
/// receive, and whether it only counts what it receives (<see cref="CountingSubscriber"/>).
/// </summary>
internal sealed record BotPlan(string Room, string Name, bool PublishAudio, bool PublishVideo, int ExpectedTracks, bool CountOnly = false);
