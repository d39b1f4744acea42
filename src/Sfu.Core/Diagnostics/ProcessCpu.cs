using System.Globalization;

namespace Sfu.Core.Diagnostics;

/// <summary>
/// CPU time a process and its threads have used, from /proc (proc(5): stat's utime and stime,
/// fields 14 and 15). Linux only. Used by the admin
/// dashboard for the server's own media threads and by the load tool for a server it measures.
/// </summary>
public static class ProcessCpu
{
    /// <summary>USER_HZ, the unit of utime and stime; 100 on every Linux architecture .NET runs on.</summary>
    private const double ClockTicksPerSecond = 100;

    /// <summary>User plus system CPU seconds of <paramref name="pid"/> so far.</summary>
    /// <exception cref="IOException">The process is gone, or there is no /proc.</exception>
    public static double ReadSeconds(int pid)
        => Parse(File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat")).Seconds;

    /// <summary>
    /// CPU seconds so far of each thread of <paramref name="pid"/> whose name starts with
    /// <paramref name="prefix"/> (the server names its media threads), by thread name; threads
    /// that share a name are summed. Empty where /proc cannot be read.
    /// </summary>
    public static Dictionary<string, double> ReadThreadSeconds(int pid, string prefix)
    {
        var threads = new Dictionary<string, double>(StringComparer.Ordinal);
        try
        {
            foreach (string task in Directory.EnumerateDirectories($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/task"))
            {
                try
                {
                    (string name, double seconds) = Parse(File.ReadAllText(Path.Combine(task, "stat")));
                    if (name.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        threads[name] = threads.GetValueOrDefault(name) + seconds;
                    }
                }
                catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
                {
                    // The thread ended between listing and reading, or the line is not what proc(5)
                    // describes: that thread is left out rather than the whole reading (the admin
                    // sampler must not stop over it).
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No /proc (not Linux) or not ours to read.
        }

        return threads;
    }

    private static (string Name, double Seconds) Parse(string stat)
    {
        // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
        int open = stat.IndexOf('(');
        int close = stat.LastIndexOf(')');
        string[] fields = stat[(close + 2)..].Split(' ');

        // fields[0] is field 3 (state), so utime (14) and stime (15) are at 11 and 12.
        long user = long.Parse(fields[11], CultureInfo.InvariantCulture);
        long system = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (stat[(open + 1)..close], (user + system) / ClockTicksPerSecond);
    }
}
