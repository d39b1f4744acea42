namespace Sfu.Bots;

/// <summary>
/// The wall clock the bots stamp media with. Sender and receiver must share it, which holds for
/// bots in one process or on one host (the load tool and the tests).
/// </summary>
internal static class BotClock
{
    public static long NowMicroseconds() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
}
