using System.Globalization;
using Sfu.Core.Net;

namespace Sfu.LoadTest;

/// <summary>Everything one load run needs, parsed from the command line.</summary>
internal sealed class LoadOptions
{
    public ScenarioKind Scenario { get; set; } = ScenarioKind.Fanout;

    public TargetKind Target { get; set; } = TargetKind.Sfu;

    /// <summary>Fanout: receive-only subscribers of the one publisher.</summary>
    public int Subscribers { get; set; } = 50;

    /// <summary>Rooms: how many rooms.</summary>
    public int Rooms { get; set; } = 10;

    /// <summary>Rooms: participants per room, each publishing audio and video.</summary>
    public int RoomSize { get; set; } = 4;

    /// <summary>Audio: participants in the one room.</summary>
    public int Participants { get; set; } = 50;

    /// <summary>Audio: how many of them publish.</summary>
    public int Speakers { get; set; } = 5;

    /// <summary>Video bitrate of every video publisher; 0 = the scenario's default.</summary>
    public int VideoBitrate { get; set; }

    /// <summary>
    /// Video publishers send simulcast (rids q/h/f); receive-only participants ask for the small,
    /// medium and large layer in turn, as browsers report their tile sizes.
    /// </summary>
    public bool Simulcast { get; set; }

    /// <summary>Simulcast runs: the layer the receive-only participants ask for.</summary>
    public LayerChoice Layer { get; set; } = LayerChoice.Mixed;

    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan Warmup { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>An already running server to attach to (its process id is needed for CPU).</summary>
    public Uri? Server { get; set; }

    public int? ServerPid { get; set; }

    /// <summary>Sfu.Host.dll to start; found next to the repository's build output when absent.</summary>
    public string? HostDll { get; set; }

    /// <summary>Where every line the started server writes is kept (node N's as PATH.N with several nodes), or null.</summary>
    public string? ServerLog { get; set; }

    public string? JsonPath { get; set; }

    /// <summary>The name of the target in the results (e.g. "sfu-tuned"); the target kind when absent.</summary>
    public string? Label { get; set; }

    /// <summary>The address bots bind to (Janus needs a non-loopback address on lo, see compare.sh).</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Bots connecting at the same time.</summary>
    public int ConnectParallelism { get; set; } = 4;

    /// <summary>Full bots for every subscriber, or counting ones for all but <see cref="FullSubscribers"/>.</summary>
    public SubscriberMode SubscriberMode { get; set; } = SubscriberMode.Full;

    /// <summary>Count mode: receive-only participants that stay full bots (decrypting, measuring latency).</summary>
    public int FullSubscribers { get; set; } = 10;

    /// <summary>
    /// How receive-only participants reach the server: UDP, or ICE-TCP (RFC 6544, every
    /// datagram an RFC 4571 frame on one connection each), as browsers behind a firewall that
    /// drops UDP do. Publishers send over UDP either way.
    /// </summary>
    public TransportProtocol Transport { get; set; } = TransportProtocol.Udp;

    /// <summary>
    /// Bits per second each full receive-only bot's downlink carries once the measured window
    /// opens (the kernel shapes UDP to its port, <see cref="Sfu.Bots.LoopbackShaper"/>); those bots
    /// send transport-wide feedback so the server can find the limit. 0 = no limit, no feedback.
    /// </summary>
    public long DownlinkLimit { get; set; }

    /// <summary>Downlink-limit runs: where to write every sample of every shaped subscriber as CSV (for <c>plot-downlink</c>).</summary>
    public string? DownlinkTracePath { get; set; }

    /// <summary>Downlink-limit runs: lift the limit this long after it was set (null = it holds to the end).</summary>
    public TimeSpan? DownlinkLift { get; set; }

    /// <summary>
    /// SfuRouter as a cluster of this many nodes on one redis-server the tool starts, the
    /// participants spread over them in turn; 1 = a single server.
    /// </summary>
    public int Nodes { get; set; } = 1;

    /// <summary>Relay target: plain sendto per copy, or sendmmsg with SRTP per copy.</summary>
    public RelayMode RelayMode { get; set; } = RelayMode.Plain;

    /// <summary>The command line's bots run under <c>SCHED_BATCH</c> (see <see cref="BotScheduling"/>); false: the normal policy.</summary>
    public bool BatchBots { get; set; } = true;

    /// <summary>The target's name in the results: the label given, else e.g. "sfu", "relay" or "relay-srtp".</summary>
    public string TargetName => Label ?? (Target == TargetKind.Relay && RelayMode == RelayMode.Srtp ? "relay-srtp" : Target.ToString().ToLowerInvariant());

    public int EffectiveVideoBitrate => VideoBitrate > 0 ? VideoBitrate : Scenario == ScenarioKind.Fanout ? 1_500_000 : 300_000;

    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        var options = new LoadOptions();
        if (args.Count == 0)
        {
            throw new ArgumentException("Name a scenario: fanout, rooms or audio.");
        }

        options.Scenario = ParseEnum<ScenarioKind>(args[0], "scenario");
        for (int i = 1; i < args.Count; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            switch (name)
            {
                case "--target": options.Target = ParseEnum<TargetKind>(Value(), name); break;
                case "--subscribers": options.Subscribers = ParseCount(Value(), name); break;
                case "--rooms": options.Rooms = ParseCount(Value(), name); break;
                case "--room-size": options.RoomSize = ParseCount(Value(), name, minimum: 2); break;
                case "--participants": options.Participants = ParseCount(Value(), name, minimum: 2); break;
                case "--speakers": options.Speakers = ParseCount(Value(), name); break;
                case "--video-bitrate": options.VideoBitrate = ParseCount(Value(), name, minimum: 10_000); break;
                case "--simulcast": options.Simulcast = true; break;
                case "--layer": options.Layer = ParseEnum<LayerChoice>(Value(), name); break;
                case "--duration": options.Duration = TimeSpan.FromSeconds(ParseCount(Value(), name)); break;
                case "--warmup": options.Warmup = TimeSpan.FromSeconds(ParseCount(Value(), name, minimum: 0)); break;
                case "--server": options.Server = ParseUri(Value(), name); break;
                case "--server-pid": options.ServerPid = ParseCount(Value(), name); break;
                case "--host-dll": options.HostDll = Value(); break;
                case "--server-log": options.ServerLog = Value(); break;
                case "--json": options.JsonPath = Value(); break;
                case "--label": options.Label = Value(); break;
                case "--bind": options.BindAddress = Value(); break;
                case "--parallel": options.ConnectParallelism = ParseCount(Value(), name); break;
                case "--subscriber-mode": options.SubscriberMode = ParseEnum<SubscriberMode>(Value(), name); break;
                case "--full-subscribers": options.FullSubscribers = ParseCount(Value(), name, minimum: 0); break;
                case "--relay-mode": options.RelayMode = ParseEnum<RelayMode>(Value(), name); break;
                case "--bot-policy": options.BatchBots = Value() switch
                {
                    "batch" => true,
                    "normal" => false,
                    string other => throw new ArgumentException($"{name} takes batch or normal, not '{other}'."),
                };
                break;
                case "--transport": options.Transport = ParseEnum<TransportProtocol>(Value(), name); break;
                case "--downlink-limit": options.DownlinkLimit = ParseRate(Value(), name); break;
                case "--downlink-lift": options.DownlinkLift = TimeSpan.FromSeconds(ParseCount(Value(), name)); break;
                case "--downlink-trace": options.DownlinkTracePath = Value(); break;
                case "--nodes": options.Nodes = ParseCount(Value(), name); break;
                default: throw new ArgumentException($"Unknown option {name}.");
            }
        }

        if (options.Scenario == ScenarioKind.Audio && options.Speakers > options.Participants)
        {
            throw new ArgumentException("--speakers cannot exceed --participants.");
        }

        if (options.Target == TargetKind.Janus && options.Scenario == ScenarioKind.Audio)
        {
            throw new ArgumentException("The janus target runs the fanout and rooms scenarios only.");
        }

        if (options.Target == TargetKind.Relay && options.Scenario == ScenarioKind.Audio)
        {
            throw new ArgumentException("The relay target runs the fanout and rooms scenarios only.");
        }

        if (options.Simulcast && options.Target != TargetKind.Sfu)
        {
            throw new ArgumentException("--simulcast needs --target sfu.");
        }

        if (options.Layer != LayerChoice.Mixed && !options.Simulcast)
        {
            throw new ArgumentException("--layer needs --simulcast.");
        }

        if (options.Target == TargetKind.Janus && (options.Server is null || options.ServerPid is null))
        {
            throw new ArgumentException("--target janus needs --server (Janus's HTTP API URL) and --server-pid.");
        }

        if (options.RelayMode != RelayMode.Plain && options.Target != TargetKind.Relay)
        {
            throw new ArgumentException("--relay-mode needs --target relay.");
        }

        if (options.Transport == TransportProtocol.Tcp && options.Target != TargetKind.Sfu)
        {
            throw new ArgumentException("--transport tcp needs --target sfu.");
        }

        if (options.Transport == TransportProtocol.Tcp && options.SubscriberMode == SubscriberMode.Count)
        {
            throw new ArgumentException("--transport tcp needs --subscriber-mode full: counting subscribers share one UDP reader.");
        }

        if (options.Transport == TransportProtocol.Tcp && options.DownlinkLimit > 0)
        {
            throw new ArgumentException("--downlink-limit shapes UDP to the subscribers: it needs --transport udp.");
        }

        if (options.DownlinkLimit > 0 && (options.Target != TargetKind.Sfu || options.Server is not null))
        {
            throw new ArgumentException("--downlink-limit needs --target sfu started by the tool (it reads each subscriber's estimate from the server's admin API).");
        }

        if (options.DownlinkTracePath is not null && options.DownlinkLimit == 0)
        {
            throw new ArgumentException("--downlink-trace needs --downlink-limit.");
        }

        if (options.DownlinkLift is not null && (options.DownlinkLimit == 0 || options.DownlinkLift >= options.Duration))
        {
            throw new ArgumentException("--downlink-lift needs --downlink-limit and must come before the window (--duration) ends.");
        }

        if (options.Nodes > 1 && (options.Target != TargetKind.Sfu || options.Server is not null || options.DownlinkLimit > 0))
        {
            throw new ArgumentException("--nodes needs --target sfu started by the tool, without --downlink-limit.");
        }

        if (options.Server is not null && options.ServerPid is null)
        {
            throw new ArgumentException("--server needs --server-pid: the server's CPU time is read from /proc/<pid>/stat.");
        }

        return options;
    }

    private static T ParseEnum<T>(string value, string name)
        where T : struct, Enum
        => Enum.TryParse(value, ignoreCase: true, out T parsed) && Enum.IsDefined(parsed)
            ? parsed
            : throw new ArgumentException($"{name}: '{value}' is not one of {string.Join(", ", Enum.GetNames<T>()).ToLowerInvariant()}.");

    private static int ParseCount(string value, string name, int minimum = 1)
        => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) && parsed >= minimum
            ? parsed
            : throw new ArgumentException($"{name}: '{value}' is not a whole number ≥ {minimum}.");

    /// <summary>Bits per second, with an optional k or M: 600k, 1.5M, 600000.</summary>
    private static long ParseRate(string value, string name)
    {
        double scale = value.EndsWith('k') ? 1e3 : value.EndsWith('M') ? 1e6 : 1;
        string number = scale > 1 ? value[..^1] : value;
        return double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double parsed) && parsed * scale >= 50_000
            ? (long)(parsed * scale)
            : throw new ArgumentException($"{name}: '{value}' is not a rate of at least 50k bit/s (e.g. 600k, 1.5M).");
    }

    private static Uri ParseUri(string value, string name)
        => Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new ArgumentException($"{name}: '{value}' is not an http URL.");
}
