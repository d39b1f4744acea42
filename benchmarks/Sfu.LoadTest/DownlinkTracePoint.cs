using System.Globalization;

namespace Sfu.LoadTest;

/// <summary>
/// One sample of a shaped subscriber: seconds since the limit was set, the limit then (0 once
/// lifted), the server's estimate and allocation, and the SRTP bit/s the bot received since the
/// previous sample, and the width its last video key frame declared (which simulcast layer
/// arrives; 0 before any).
/// </summary>
internal readonly record struct DownlinkTracePoint(double Seconds, long Limit, long Estimate, long Allocated, long Received, int Width)
{
    public const string CsvHeader = "seconds,subscriber,limit,estimate,allocated,received,width";

    public string ToCsv(int subscriber) => string.Create(CultureInfo.InvariantCulture, $"{Seconds:0.000},{subscriber},{Limit},{Estimate},{Allocated},{Received},{Width}");

    /// <summary>Reads a line written by <see cref="ToCsv"/>; false for the header or anything else.</summary>
    public static bool TryParse(string line, out int subscriber, out DownlinkTracePoint point)
    {
        subscriber = 0;
        point = default;
        string[] fields = line.Split(',');
        if (fields.Length != 7
            || !double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
            || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out subscriber)
            || !long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out long limit)
            || !long.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out long estimate)
            || !long.TryParse(fields[4], NumberStyles.None, CultureInfo.InvariantCulture, out long allocated)
            || !long.TryParse(fields[5], NumberStyles.None, CultureInfo.InvariantCulture, out long received)
            || !int.TryParse(fields[6], NumberStyles.None, CultureInfo.InvariantCulture, out int width))
        {
            return false;
        }

        point = new DownlinkTracePoint(seconds, limit, estimate, allocated, received, width);
        return true;
    }
}
