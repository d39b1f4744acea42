using System.Net;

namespace Sfu.Bots;

/// <summary>How a synthetic participant joins and what it publishes.</summary>
public sealed class SfuBotOptions
{
    public string Room { get; set; } = "bots";

    public string Name { get; set; } = "bot";

    /// <summary>
    /// The address of the bot's UDP socket: 127.0.0.1, or for a server that gathers no loopback
    /// candidates (Janus) an address of the benchmark range 198.18.0.0/15 put on lo inside a
    /// private network namespace.
    /// </summary>
    public IPAddress BindAddress { get; set; } = IPAddress.Loopback;

    /// <summary>
    /// Connect the UDP socket to the server's address once ICE has chosen it, so the socket
    /// takes datagrams from nowhere else. On loopback the sender's kernel finds the receiving
    /// socket, and charges the sender for it: a connected socket is found by its 4-tuple in one
    /// lookup (Linux 6.13 on), an unconnected one by a walk of its port's bucket. The load tool
    /// sets it so that its bots cost the server what the relays' connected receivers cost them.
    /// </summary>
    public bool ConnectSocket { get; set; }

    /// <summary>
    /// How the bot reaches the server: one UDP socket, or one ICE-TCP connection (RFC 6544, an
    /// active candidate to the server's passive one) for everything, as a browser behind a
    /// firewall that drops UDP does.
    /// </summary>
    public Sfu.Core.Net.TransportProtocol Transport { get; set; } = Sfu.Core.Net.TransportProtocol.Udp;

    public bool PublishAudio { get; set; } = true;

    public bool PublishVideo { get; set; } = true;

    /// <summary>Frequency of the sine tone the bot sends as Opus audio.</summary>
    public double ToneFrequency { get; set; } = 440;

    public int AudioBitrate { get; set; } = 32_000;

    /// <summary>Target bitrate of the synthetic VP8 stream (frame size = bitrate / frame rate).</summary>
    public int VideoBitrate { get; set; } = 500_000;

    public int VideoFrameRate { get; set; } = 30;

    /// <summary>
    /// Publish the video as three simulcast encodings (RFC 8853) with rids q, h and f, lowest
    /// first, whose key frames declare 320×180, 640×360 and 1280×720: f at
    /// <see cref="VideoBitrate"/>, each lower one at a quarter of the next (its share of the
    /// pixels). The SSRCs are not announced; the SFU learns them from the rid each packet
    /// carries. Without it the bot sends one stream whose key frames declare 640×360.
    /// </summary>
    public bool Simulcast { get; set; }

    /// <summary>A key frame every this many frames (and whenever a PLI or FIR asks for one).</summary>
    public int KeyframeInterval { get; set; } = 90;

    /// <summary>Largest RTP packet (before SRTP) the video packetizer produces.</summary>
    public int MaxVideoPacketSize { get; set; } = 1200;

    /// <summary>
    /// Send one second of the tone, encoded once per process and tone, in a loop instead of
    /// encoding every frame (see <c>OpusToneLoop</c>): for load runs, where a hundred encoders
    /// take the cores the server needs. Give the tone a whole number of hertz so the loop has no seam.
    /// </summary>
    public bool ReplayAudio { get; set; }

    /// <summary>Decode received Opus to measure the tone (costs CPU in load tests).</summary>
    public bool DecodeAudio { get; set; } = true;

    /// <summary>
    /// Report the arrival time of every packet the SFU sends us with a transport-wide sequence
    /// number (transport-cc feedback, draft-holmer-rmcat-transport-wide-cc-extensions-01), about
    /// every 100 ms as browsers do, so the SFU estimates this bot's downlink and fits what it
    /// sends to it. Off, the bot sends none and the SFU does not limit what it sends.
    /// </summary>
    public bool SendTransportFeedback { get; set; }

    /// <summary>How often an RTCP receiver report is sent.</summary>
    public TimeSpan ReceiverReportInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Consent checks go out at a random interval in [min, max] (RFC 7675 §5.1).</summary>
    public TimeSpan ConsentIntervalMin { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan ConsentIntervalMax { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Reads the bot's socket instead of a receive thread of its own (many receive-only bots on
    /// one thread); null = the bot's own thread.
    /// </summary>
    public IBotSocketReader? SocketReader { get; set; }

    /// <summary>
    /// Period of the control loop (ICE timers, media pacing, receiver reports). A receive-only
    /// bot among hundreds can tick far less often than a publisher, whose pacing needs 5 ms.
    /// </summary>
    public TimeSpan ControlInterval { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Limit for signaling + ICE + DTLS before <see cref="SfuBot.ConnectAsync"/> gives up.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Test hook: the bot takes its SRTP keys this long after its DTLS handshake completed, as a
    /// loaded machine's thread pool may delay it, so the SFU's first packets come before them.
    /// </summary>
    internal TimeSpan KeysDelay { get; set; }
}
