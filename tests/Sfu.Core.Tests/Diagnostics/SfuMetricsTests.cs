using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sfu.Core.Diagnostics;

namespace Sfu.Core.Tests.Diagnostics;

/// <summary>
/// The engine's instruments as a listener sees them: observed from the counters the packet
/// path keeps, tagged by media kind and drop reason, and the forwarding latency sampled.
/// </summary>
public sealed class SfuMetricsTests : IAsyncDisposable
{
    private readonly TestMeterFactory _meters = new();
    private readonly SfuEngine _engine;
    private readonly MeterListener _listener = new();
    private readonly List<(string Name, double Value, Dictionary<string, object?> Tags)> _measurements = [];

    public SfuMetricsTests()
    {
        _engine = new SfuEngine(new SfuOptions(), NullLoggerFactory.Instance, new FakeTimeProvider(), _meters);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Only this engine's meter: other tests create engines with meters of the same name.
            if (_meters.Created.Contains(instrument.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    [Fact]
    public void The_meter_is_named_SfuRouter_and_carries_the_instruments_operators_look_for()
    {
        _listener.RecordObservableInstruments();

        Meter meter = Assert.Single(_meters.Created);
        Assert.Equal(SfuMetrics.MeterName, meter.Name);
        string[] names = [.. _measurements.Select(m => m.Name).Distinct()];
        Assert.Superset(
            new HashSet<string>
            {
                "sfu.rooms", "sfu.participants", "sfu.tracks.published", "sfu.subscriptions",
                "sfu.rtp.packets.received", "sfu.rtp.packets.forwarded", "sfu.rtp.bytes.received", "sfu.rtp.bytes.forwarded",
                "sfu.packets.dropped", "sfu.rtcp.nack.received", "sfu.rtcp.pli.sent",
            },
            new HashSet<string>(names));
    }

    [Fact]
    public void Counters_are_observed_per_media_kind_and_per_drop_reason()
    {
        _engine.Counters.RtpForwarded(MediaKind.Video, 1200);
        _engine.Counters.RtpForwarded(MediaKind.Video, 1000);
        _engine.Counters.RtpForwarded(MediaKind.Audio, 100);
        _engine.Counters.Dropped(DropReason.SrtpAuth);
        _engine.Counters.Dropped(DropReason.SrtpAuth);
        _engine.Counters.Dropped(DropReason.UnknownPeer);

        _listener.RecordObservableInstruments();

        Assert.Equal(2, Value("sfu.rtp.packets.forwarded", "kind", "video"));
        Assert.Equal(1, Value("sfu.rtp.packets.forwarded", "kind", "audio"));
        Assert.Equal(2200, Value("sfu.rtp.bytes.forwarded", "kind", "video"));
        Assert.Equal(2, Value("sfu.packets.dropped", "reason", "srtp_auth"));
        Assert.Equal(1, Value("sfu.packets.dropped", "reason", "unknown_peer"));
        Assert.Equal(0, Value("sfu.packets.dropped", "reason", "replay"));
        Assert.Equal(0, Value("sfu.participants"));
    }

    [Fact]
    public void Forwarding_latency_is_measured_for_one_datagram_in_1024_once_its_forwarded_packets_are_sent()
    {
        SfuMetrics metrics = _engine.Metrics;
        for (int i = 0; i < 3 * SfuMetrics.LatencySampleInterval; i++)
        {
            metrics.OnDatagram();
            metrics.OnForwarded();
            metrics.OnSent();
        }

        // A sampled datagram that was not RTP (no OnForwarded) records nothing when its sends
        // leave, and leaves nothing behind for the next one.
        for (int i = 0; i < SfuMetrics.LatencySampleInterval; i++)
        {
            metrics.OnDatagram();
            metrics.OnSent();
        }

        metrics.OnDatagram();
        metrics.OnForwarded();
        metrics.OnSent();

        double[] samples = [.. _measurements.Where(m => m.Name == "sfu.forwarding.latency").Select(m => m.Value)];
        Assert.Equal(3, samples.Length);
        Assert.All(samples, s => Assert.InRange(s, 0, 1));
    }

    [Fact]
    public void Sampling_the_forwarding_latency_allocates_nothing_while_a_listener_records_it()
    {
        using var quiet = new MeterListener();
        quiet.InstrumentPublished = (instrument, listener) =>
        {
            if (_meters.Created.Contains(instrument.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        quiet.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        quiet.Start();
        _listener.Dispose();
        SfuMetrics metrics = _engine.Metrics;
        long allocated = Allocations.Measure(
            () =>
            {
                metrics.OnDatagram();
                metrics.OnForwarded();
                metrics.OnSent();
            },
            iterations: 16 * SfuMetrics.LatencySampleInterval,
            warmUp: 4 * SfuMetrics.LatencySampleInterval);

        Assert.Equal(0, allocated);
    }

    private double Value(string name, string? tag = null, string? tagValue = null)
        => _measurements.Last(m => m.Name == name && (tag is null || Equals(m.Tags.GetValueOrDefault(tag), tagValue))).Value;

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        lock (_measurements)
        {
            _measurements.Add((instrument.Name, value, copy));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _engine.DisposeAsync();
        _meters.Dispose();
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        public List<Meter> Created { get; } = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            Created.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (Meter meter in Created)
            {
                meter.Dispose();
            }
        }
    }
}
