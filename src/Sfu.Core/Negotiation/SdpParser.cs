using System.Globalization;

namespace Sfu.Core.Negotiation;

/// <summary>
/// Parses SDP text (RFC 8866) as browsers write it for JSEP (RFC 8829 §5.8). Lines end in CRLF or LF.
/// <para>
/// Strict on structure: v=0 first, then o= and s= (RFC 8866 §5), exactly one t= before the first m=,
/// no unknown line types (§5: a parser must reject type letters it does not know), well-formed
/// m=/c=/o= fields, and per-section consistency: a=rtpmap/fmtp/rtcp-fb only for payload types on
/// the m= line, no duplicate mid, at most one direction, extmap ids 1-255 and unique.
/// </para>
/// <para>
/// Liberal with content: unknown attributes are kept, blank lines are skipped, payload types without
/// a=rtpmap are tolerated (static ones get their RFC 3551 mapping), and session-level attributes that
/// usually live in m= sections are kept as plain attributes.
/// </para>
/// Never throws: every problem becomes an <see cref="SdpParseResult"/> error naming the line.
/// </summary>
public static partial class SdpParser
{
    /// <summary>
    /// The longest SDP accepted: 1 MiB characters. A browser's offer lists every m-section of
    /// the connection, each receiving one too, with its full codec list (about 3 KB a video
    /// section in Chromium), so a 16-person room already offers some 70 KB; this leaves room
    /// for far larger rooms while bounding what one message can make the parser do.
    /// </summary>
    public const int MaxLength = 1 << 20;

    public static SdpParseResult Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return SdpParseResult.Fail(0, "SDP is empty");
        }

        if (text.Length > MaxLength)
        {
            return SdpParseResult.Fail(0, $"SDP is {text.Length:N0} characters long; at most {MaxLength:N0} are accepted");
        }

        return new State().Run(text);
    }

    /// <summary>Per-parse state; one instance per call, so the parser is thread-safe.</summary>
    private sealed partial class State
    {
        private readonly SessionDescription _session = new();
        private readonly HashSet<string> _mids = new(StringComparer.Ordinal);
        private MediaState? _media;
        private bool _seenTiming;
        private int _lineNumber;

        public SdpParseResult Run(string text)
        {
            string[] lines = text.Split('\n');
            int position = 0; // index among non-blank lines, for the v/o/s ordering rule
            int lastLine = 0;
            for (int i = 0; i < lines.Length; i++)
            {
                _lineNumber = i + 1;
                string line = lines[i].EndsWith('\r') ? lines[i][..^1] : lines[i];
                if (line.Length == 0)
                {
                    continue;
                }

                string? error = ParseLine(line, position++);
                if (error is not null)
                {
                    return SdpParseResult.Fail(_lineNumber, error);
                }

                lastLine = _lineNumber;
            }

            // End-of-text problems are reported at the last line that had content.
            _lineNumber = lastLine;

            if (position == 0)
            {
                return SdpParseResult.Fail(0, "SDP is empty");
            }

            if (position < 3)
            {
                return SdpParseResult.Fail(_lineNumber, "SDP ends before the v=, o= and s= lines are complete");
            }

            if (!_seenTiming)
            {
                return SdpParseResult.Fail(_lineNumber, "SDP has no t= line");
            }

            string? finish = FinishMedia();
            return finish is null ? SdpParseResult.Ok(_session) : SdpParseResult.Fail(_lineNumber, finish);
        }

        private string? ParseLine(string line, int position)
        {
            if (position == 0 && line != "v=0")
            {
                return "SDP must start with v=0";
            }

            if (line.Length < 2 || line[1] != '=')
            {
                return $"expected '<type>=<value>' but found '{Shorten(line)}'";
            }

            char type = line[0];
            string value = line[2..];

            // RFC 8866 §5: the first three lines are v=, o=, s= in this order.
            switch (position)
            {
                case 0:
                    return line == "v=0" ? null : "SDP must start with v=0";
                case 1:
                    return type == 'o' ? ParseOrigin(value) : "the line after v=0 must be o=";
                case 2:
                    if (type != 's')
                    {
                        return "the line after o= must be s=";
                    }

                    _session.SessionName = value;
                    return null;
            }

            switch (type)
            {
                case 'v':
                case 'o':
                case 's':
                    return $"'{type}=' may appear only once, at the top";
                case 't':
                    if (_media is not null)
                    {
                        return "'t=' must come before the first 'm=' line";
                    }

                    if (_seenTiming)
                    {
                        return "only one 't=' line is supported";
                    }

                    _seenTiming = true;
                    _session.Timing = value;
                    return null;
                case 'c':
                    {
                        ConnectionData? connection = ParseConnection(value, out string? error);
                        if (connection is null)
                        {
                            return error;
                        }

                        if (_media is null)
                        {
                            _session.Connection = connection;
                        }
                        else if (_media.Description.Connection is not null)
                        {
                            return "'c=' appears twice in one m= section";
                        }
                        else
                        {
                            _media.Description.Connection = connection;
                        }

                        return null;
                    }

                case 'b':
                    if (value.IndexOf(':', StringComparison.Ordinal) <= 0)
                    {
                        return "'b=' needs '<bwtype>:<bandwidth>'";
                    }

                    (_media?.Description.Bandwidths ?? _session.Bandwidths).Add(value);
                    return null;
                case 'm':
                    if (!_seenTiming)
                    {
                        return "'t=' is missing before the first 'm=' line";
                    }

                    return StartMedia(value);
                case 'a':
                    return _media is null ? ParseSessionAttribute(value) : _media.ParseAttribute(value, _mids);
                case 'i':
                case 'u':
                case 'e':
                case 'p':
                case 'r':
                case 'z':
                case 'k':
                    (_media?.Description.ExtraLines ?? _session.ExtraLines).Add(new SdpLine(type, value));
                    return null;
                default:
                    return $"unknown line type '{type}='";
            }
        }

        private string? ParseOrigin(string value)
        {
            // o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address> (RFC 8866 §5.2)
            string[] f = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length != 6)
            {
                return "'o=' needs 6 fields: <username> <sess-id> <sess-version> <nettype> <addrtype> <address>";
            }

            if (!ulong.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong id))
            {
                return $"'o=' session id '{Shorten(f[1])}' is not a 64-bit decimal number";
            }

            if (!ulong.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out ulong version))
            {
                return $"'o=' session version '{Shorten(f[2])}' is not a 64-bit decimal number";
            }

            _session.OriginUsername = f[0];
            _session.SessionId = id;
            _session.SessionVersion = version;
            _session.OriginNetworkType = f[3];
            _session.OriginAddressType = f[4];
            _session.OriginAddress = f[5];
            return null;
        }

        private static ConnectionData? ParseConnection(string value, out string? error)
        {
            // c=<nettype> <addrtype> <connection-address> (RFC 8866 §5.7)
            string[] f = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length != 3)
            {
                error = "'c=' needs 3 fields: <nettype> <addrtype> <address>";
                return null;
            }

            error = null;
            return new ConnectionData(f[0], f[1], f[2]);
        }

        private string? StartMedia(string value)
        {
            string? finish = FinishMedia();
            if (finish is not null)
            {
                return finish;
            }

            // m=<media> <port>[/<number of ports>] <proto> <fmt> ... (RFC 8866 §5.14)
            string[] f = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 4)
            {
                return "'m=' needs at least 4 fields: <media> <port> <proto> <fmt>...";
            }

            var media = new MediaDescription { KindRaw = f[0], Kind = KindOf(f[0]), Protocol = f[2] };
            string portText = f[1];
            int slash = portText.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                if (!int.TryParse(portText.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count < 1)
                {
                    return $"'m=' port count in '{Shorten(portText)}' is not a positive number";
                }

                media.PortCount = count;
                portText = portText[..slash];
            }

            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
            {
                return $"'m=' port '{Shorten(portText)}' is not a number 0-65535";
            }

            media.Port = port;
            bool rtp = media.Protocol.Contains("RTP/", StringComparison.OrdinalIgnoreCase);
            var payloadTypes = new HashSet<int>();
            for (int i = 3; i < f.Length; i++)
            {
                if (rtp)
                {
                    // RFC 3550 §5.1: the payload type is 7 bits.
                    if (!int.TryParse(f[i], NumberStyles.None, CultureInfo.InvariantCulture, out int pt) || pt > 127)
                    {
                        return $"payload type '{Shorten(f[i])}' on the 'm=' line is not a number 0-127";
                    }

                    if (!payloadTypes.Add(pt))
                    {
                        return $"payload type {pt} is listed twice on the 'm=' line";
                    }
                }

                media.Formats.Add(f[i]);
            }

            _session.Media.Add(media);
            _media = new MediaState(media, payloadTypes, rtp);
            return null;
        }

        private string? FinishMedia()
        {
            if (_media is null)
            {
                return null;
            }

            string? error = _media.Finish();
            _media = null;
            return error;
        }

        private static MediaKind KindOf(string kind) => kind switch
        {
            "audio" => MediaKind.Audio,
            "video" => MediaKind.Video,
            "application" => MediaKind.Application,
            _ => MediaKind.Other,
        };
    }
}
