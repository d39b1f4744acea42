using System.Runtime.InteropServices;

namespace Sfu.LoadTest;

/// <summary>
/// The Linux scheduling policy of the load tool's own threads. On loopback a server's send wakes
/// the receiving bot on the same machine, and a woken thread of the normal policy may preempt the
/// sender in the middle of its <c>sendmmsg</c>: two context switches that a real server, whose
/// receivers are elsewhere, never pays. Under <c>SCHED_BATCH</c> a woken thread does not preempt
/// (the fair scheduler skips wakeup preemption for it), so the bots run when the server yields.
/// The servers under test (children the tool starts, or long-lived ones) keep the normal policy.
/// </summary>
internal static partial class BotScheduling
{
    private const int SchedOther = 0;
    private const int SchedBatch = 3;

    /// <summary>Moves the calling thread to <c>SCHED_BATCH</c>; threads it starts afterwards inherit it. False where that fails or is not Linux.</summary>
    public static bool UseBatch()
    {
        var param = default(SchedParam);
        return OperatingSystem.IsLinux() && SetScheduler(0, SchedBatch, ref param) == 0;
    }

    /// <summary>The calling thread's policy name: "batch", "normal", or another policy's number.</summary>
    public static string Current()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "normal";
        }

        return GetScheduler(0) switch
        {
            SchedOther => "normal",
            SchedBatch => "batch",
            int other => other.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    /// <summary>
    /// The command line that starts <paramref name="executable"/> with the normal policy even when
    /// the calling thread is not (a child inherits its parent's policy): through util-linux's
    /// <c>chrt --other 0</c>.
    /// </summary>
    public static (string Executable, IEnumerable<string> Args) WithNormalPolicy(string executable, IEnumerable<string> args)
        => Current() == "normal" ? (executable, args) : ("chrt", ["--other", "0", executable, .. args]);

    [StructLayout(LayoutKind.Sequential)]
    private struct SchedParam
    {
        public int Priority;
    }

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SetScheduler(int pid, int policy, ref SchedParam param);

    [LibraryImport("libc", EntryPoint = "sched_getscheduler")]
    private static partial int GetScheduler(int pid);
}
