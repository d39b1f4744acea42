namespace Sfu.LoadTest;

/// <summary>How receive-only participants receive.</summary>
internal enum SubscriberMode
{
    /// <summary>Every subscriber is a full bot: SRTP decrypted, payload checked, latency measured.</summary>
    Full,

    /// <summary>
    /// All but <see cref="LoadOptions.FullSubscribers"/> subscribers only count packets from the
    /// clear RTP header (<see cref="CountingSubscriber"/>), so one process holds a thousand; the
    /// full ones give the latency columns.
    /// </summary>
    Count,
}
