using System.Globalization;

namespace Sfu.LoadTest;

/// <summary>CPU time a process has used, from /proc/&lt;pid&gt;/stat (proc(5): utime and stime, fields 14 and 15).</summary>
internal static class ProcessCpu
{
    /// <summary>USER_HZ, the unit of utime and stime; 100 on every Linux architecture .NET runs on.</summary>
    private const double ClockTicksPerSecond = 100;

    /// <summary>User plus system CPU seconds of <paramref name="pid"/> so far.</summary>
    public static double ReadSeconds(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");

        // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
        int close = stat.LastIndexOf(')');
        string[] fields = stat[(close + 2)..].Split(' ');

        // fields[0] is field 3 (state), so utime (14) and stime (15) are at 11 and 12.
        long user = long.Parse(fields[11], CultureInfo.InvariantCulture);
        long system = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (user + system) / ClockTicksPerSecond;
    }
}
