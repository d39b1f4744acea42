namespace Sfu.LoadTest;

/// <summary>The load shapes the tool can run.</summary>
internal enum ScenarioKind
{
    /// <summary>One publisher (audio + video), N receive-only subscribers in one room.</summary>
    Fanout,

    /// <summary>Many small rooms where everyone publishes audio + video and receives everyone else.</summary>
    Rooms,

    /// <summary>One large audio-only room: a few speakers, everyone listens.</summary>
    Audio,
}
