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
public static class SdpParser
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
    private sealed class State
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

        private string? ParseSessionAttribute(string value)
        {
            SplitAttribute(value, out string name, out string? arg);
            switch (name)
            {
                case "ice-lite":
                    _session.IceLite = true;
                    return null;
                case "ice-ufrag":
                    return SetRequired(arg, name, v => _session.IceUfrag = v);
                case "ice-pwd":
                    return SetRequired(arg, name, v => _session.IcePwd = v);
                case "ice-options":
                    return SetRequired(arg, name, v => _session.IceOptions = v);
                case "fingerprint":
                    {
                        Fingerprint? fp = ParseFingerprint(arg, out string? error);
                        if (fp is null)
                        {
                            return error;
                        }

                        // RFC 8122 §5 allows several; the model keeps the first, the rest stay verbatim.
                        if (_session.Fingerprint is null)
                        {
                            _session.Fingerprint = fp;
                        }
                        else
                        {
                            _session.Attributes.Add(new SdpAttribute(name, arg));
                        }

                        return null;
                    }

                case "setup":
                    {
                        DtlsSetup? setup = ParseSetup(arg, out string? error);
                        if (setup is null)
                        {
                            return error;
                        }

                        _session.Setup = setup;
                        return null;
                    }

                case "group":
                    {
                        // a=group:<semantics> *(SP <identification-tag>) (RFC 5888 §5)
                        string[] f = (arg ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        if (f.Length == 0)
                        {
                            return "a=group needs a semantics token, e.g. 'a=group:BUNDLE 0 1'";
                        }

                        _session.Groups.Add(new SdpGroup(f[0], f[1..]));
                        return null;
                    }

                case "msid-semantic":
                    {
                        // Chromium writes "a=msid-semantic: WMS", Firefox "a=msid-semantic:WMS *".
                        string[] f = (arg ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        if (f.Length == 0)
                        {
                            return "a=msid-semantic needs a semantic token, e.g. 'WMS'";
                        }

                        _session.MsidSemantic = new MsidSemantic(f[0], f[1..]);
                        return null;
                    }

                default:
                    _session.Attributes.Add(new SdpAttribute(name, arg));
                    return null;
            }
        }

        private static string? SetRequired(string? arg, string name, Action<string> set)
        {
            if (string.IsNullOrEmpty(arg))
            {
                return $"a={name} needs a value";
            }

            set(arg);
            return null;
        }

        private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";

        private static MediaKind KindOf(string kind) => kind switch
        {
            "audio" => MediaKind.Audio,
            "video" => MediaKind.Video,
            "application" => MediaKind.Application,
            _ => MediaKind.Other,
        };

        internal static void SplitAttribute(string value, out string name, out string? arg)
        {
            // a=<attribute>[:<value>] (RFC 8866 §5.13); the value may itself contain ':'.
            int colon = value.IndexOf(':', StringComparison.Ordinal);
            name = colon < 0 ? value : value[..colon];
            arg = colon < 0 ? null : value[(colon + 1)..];
        }

        internal static Fingerprint? ParseFingerprint(string? arg, out string? error)
        {
            string[] f = (arg ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length != 2)
            {
                error = "a=fingerprint needs '<hash-func> <fingerprint>'";
                return null;
            }

            error = null;
            return new Fingerprint(f[0], f[1]);
        }

        internal static DtlsSetup? ParseSetup(string? arg, out string? error)
        {
            error = null;
            switch (arg)
            {
                case "actpass":
                    return DtlsSetup.ActPass;
                case "active":
                    return DtlsSetup.Active;
                case "passive":
                    return DtlsSetup.Passive;
                case "holdconn":
                    return DtlsSetup.HoldConn;
                default:
                    error = $"a=setup value '{Shorten(arg ?? string.Empty)}' is not actpass, active, passive or holdconn";
                    return null;
            }
        }

        internal static MediaDirection? ParseDirection(string token) => token switch
        {
            "sendrecv" => MediaDirection.SendRecv,
            "sendonly" => MediaDirection.SendOnly,
            "recvonly" => MediaDirection.RecvOnly,
            "inactive" => MediaDirection.Inactive,
            _ => null,
        };

        /// <summary>Collects one m= section; codec lines may come in any order (Firefox writes all fmtp first).</summary>
        private sealed class MediaState(MediaDescription description, HashSet<int> payloadTypes, bool rtp)
        {
            private readonly Dictionary<int, (string Name, int ClockRate, int? Channels)> _rtpmaps = [];
            private readonly Dictionary<int, string> _fmtps = [];
            private readonly Dictionary<int, List<string>> _feedback = [];
            private readonly HashSet<int> _extensionIds = [];

            public MediaDescription Description { get; } = description;

            public string? ParseAttribute(string value, HashSet<string> mids)
            {
                SplitAttribute(value, out string name, out string? arg);
                MediaDescription m = Description;
                if (ParseDirection(name) is MediaDirection direction && arg is null)
                {
                    if (m.Direction is not null)
                    {
                        return "an m= section may carry only one of sendrecv/sendonly/recvonly/inactive";
                    }

                    m.Direction = direction;
                    return null;
                }

                switch (name)
                {
                    case "mid":
                        if (string.IsNullOrEmpty(arg))
                        {
                            return "a=mid needs a value";
                        }

                        if (m.Mid is not null)
                        {
                            return "a=mid appears twice in one m= section";
                        }

                        // RFC 5888 §4: identification tags are unique within the session.
                        if (!mids.Add(arg))
                        {
                            return $"a=mid:{Shorten(arg)} is already used by an earlier m= section";
                        }

                        m.Mid = arg;
                        return null;
                    case "ice-ufrag":
                        return SetRequired(arg, name, v => m.IceUfrag = v);
                    case "ice-pwd":
                        return SetRequired(arg, name, v => m.IcePwd = v);
                    case "ice-options":
                        return SetRequired(arg, name, v => m.IceOptions = v);
                    case "fingerprint":
                        {
                            Fingerprint? fp = ParseFingerprint(arg, out string? error);
                            if (fp is null)
                            {
                                return error;
                            }

                            if (m.Fingerprint is null)
                            {
                                m.Fingerprint = fp;
                            }
                            else
                            {
                                m.Attributes.Add(new SdpAttribute(name, arg));
                            }

                            return null;
                        }

                    case "setup":
                        {
                            DtlsSetup? setup = ParseSetup(arg, out string? error);
                            if (setup is null)
                            {
                                return error;
                            }

                            m.Setup = setup;
                            return null;
                        }

                    case "rtcp-mux" when arg is null:
                        m.RtcpMux = true;
                        return null;
                    case "rtcp-rsize" when arg is null:
                        m.RtcpRsize = true;
                        return null;
                    case "end-of-candidates" when arg is null:
                        m.EndOfCandidates = true;
                        return null;
                    case "rtpmap":
                        return ParseRtpmap(arg);
                    case "fmtp":
                        return ParseFmtp(arg);
                    case "rtcp-fb":
                        return ParseRtcpFeedback(arg);
                    case "extmap":
                        return ParseExtmap(arg);
                    case "msid":
                        {
                            // a=msid:<stream id> [<track id>] (RFC 8830 §2)
                            string[] f = (arg ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                            if (f.Length is < 1 or > 2)
                            {
                                return "a=msid needs '<stream id> [<track id>]'";
                            }

                            m.Msids.Add(new MsidAttribute(f[0], f.Length == 2 ? f[1] : null));
                            return null;
                        }

                    case "ssrc":
                        return ParseSsrc(arg);
                    case "ssrc-group":
                        return ParseSsrcGroup(arg);
                    case "rid":
                        return ParseRid(arg);
                    case "simulcast":
                        return SetRequired(arg, name, v => m.Simulcast = v);
                    case "candidate":
                        {
                            IceCandidate? candidate = IceCandidate.TryParse(arg ?? string.Empty, out string? error);
                            if (candidate is null)
                            {
                                return error;
                            }

                            m.Candidates.Add(candidate);
                            return null;
                        }

                    default:
                        m.Attributes.Add(new SdpAttribute(name, arg));
                        return null;
                }
            }

            private string? CheckPayloadType(string text, string attribute, out int pt)
            {
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out pt) || pt > 127)
                {
                    return $"a={attribute} payload type '{Shorten(text)}' is not a number 0-127";
                }

                // RFC 8866 §6.6: rtpmap (and by extension fmtp/rtcp-fb) describe formats of this m= line.
                if (!rtp || !payloadTypes.Contains(pt))
                {
                    return $"a={attribute} for payload type {pt} which is not in the m= line";
                }

                return null;
            }

            private static (string Head, string? Tail) SplitFirstSpace(string? arg)
            {
                string text = arg ?? string.Empty;
                int space = text.IndexOf(' ', StringComparison.Ordinal);
                return space < 0 ? (text, null) : (text[..space], text[(space + 1)..]);
            }

            private string? ParseRtpmap(string? arg)
            {
                // a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>] (RFC 8866 §6.6)
                (string ptText, string? rest) = SplitFirstSpace(arg);
                string? error = CheckPayloadType(ptText, "rtpmap", out int pt);
                if (error is not null)
                {
                    return error;
                }

                string[] f = (rest ?? string.Empty).Trim().Split('/');
                int channels = 0;
                if (f.Length is < 2 or > 3 || f[0].Length == 0
                    || !int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out int clockRate) || clockRate == 0
                    || (f.Length == 3 && (!int.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out channels) || channels == 0)))
                {
                    return $"a=rtpmap:{pt} needs '<name>/<clock rate>[/<channels>]' with positive numbers";
                }

                if (!_rtpmaps.TryAdd(pt, (f[0], clockRate, f.Length == 3 ? channels : null)))
                {
                    return $"second a=rtpmap for payload type {pt}";
                }

                return null;
            }

            private string? ParseFmtp(string? arg)
            {
                // a=fmtp:<format> <format specific parameters> (RFC 8866 §6.15)
                (string ptText, string? rest) = SplitFirstSpace(arg);
                string? error = CheckPayloadType(ptText, "fmtp", out int pt);
                if (error is not null)
                {
                    return error;
                }

                if (string.IsNullOrEmpty(rest))
                {
                    return $"a=fmtp:{pt} has no parameters";
                }

                if (!_fmtps.TryAdd(pt, rest))
                {
                    return $"second a=fmtp for payload type {pt}";
                }

                return null;
            }

            private string? ParseRtcpFeedback(string? arg)
            {
                // a=rtcp-fb:<pt or *> <type> [<parameters>] (RFC 4585 §4.2)
                (string ptText, string? rest) = SplitFirstSpace(arg);
                if (string.IsNullOrWhiteSpace(rest))
                {
                    return "a=rtcp-fb needs '<payload type> <feedback type>'";
                }

                if (ptText == "*")
                {
                    Description.WildcardRtcpFeedback.Add(rest);
                    return null;
                }

                string? error = CheckPayloadType(ptText, "rtcp-fb", out int pt);
                if (error is not null)
                {
                    return error;
                }

                if (!_feedback.TryGetValue(pt, out List<string>? list))
                {
                    list = [];
                    _feedback.Add(pt, list);
                }

                list.Add(rest);
                return null;
            }

            private string? ParseExtmap(string? arg)
            {
                // a=extmap:<value>["/"<direction>] <URI> <extensionattributes> (RFC 8285 §8)
                string[] f = (arg ?? string.Empty).Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 2)
                {
                    return "a=extmap needs '<id>[/<direction>] <uri>'";
                }

                string idText = f[0];
                MediaDirection? direction = null;
                int slash = idText.IndexOf('/', StringComparison.Ordinal);
                if (slash >= 0)
                {
                    direction = ParseDirection(idText[(slash + 1)..]);
                    if (direction is null)
                    {
                        return $"a=extmap direction in '{Shorten(idText)}' is not sendrecv/sendonly/recvonly/inactive";
                    }

                    idText = idText[..slash];
                }

                // RFC 8285 §5: ids 1-14 for one-byte headers, up to 255 with two-byte headers.
                if (!int.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out int id) || id is < 1 or > 255)
                {
                    return $"a=extmap id '{Shorten(idText)}' is not a number 1-255";
                }

                if (!_extensionIds.Add(id))
                {
                    return $"a=extmap id {id} is used twice in one m= section";
                }

                Description.Extensions.Add(new HeaderExtension(id, f[1], direction, f.Length == 3 ? f[2] : null));
                return null;
            }

            private string? ParseSsrc(string? arg)
            {
                // a=ssrc:<ssrc-id> <attribute>[:<value>] (RFC 5576 §4.1)
                (string ssrcText, string? rest) = SplitFirstSpace(arg);
                if (!uint.TryParse(ssrcText, NumberStyles.None, CultureInfo.InvariantCulture, out uint ssrc))
                {
                    return $"a=ssrc id '{Shorten(ssrcText)}' is not a 32-bit number";
                }

                if (string.IsNullOrEmpty(rest))
                {
                    return $"a=ssrc:{ssrc} needs an attribute, e.g. 'cname:...'";
                }

                SplitAttribute(rest, out string name, out string? value);
                if (name.Length == 0)
                {
                    return $"a=ssrc:{ssrc} has an empty attribute name";
                }

                Description.Ssrcs.Add(new SsrcAttribute(ssrc, name, value));
                return null;
            }

            private string? ParseSsrcGroup(string? arg)
            {
                // a=ssrc-group:<semantics> <ssrc-id> ... (RFC 5576 §4.2)
                string[] f = (arg ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 2)
                {
                    return "a=ssrc-group needs '<semantics> <ssrc> ...'";
                }

                var ssrcs = new uint[f.Length - 1];
                for (int i = 1; i < f.Length; i++)
                {
                    if (!uint.TryParse(f[i], NumberStyles.None, CultureInfo.InvariantCulture, out ssrcs[i - 1]))
                    {
                        return $"a=ssrc-group ssrc '{Shorten(f[i])}' is not a 32-bit number";
                    }
                }

                Description.SsrcGroups.Add(new SsrcGroup(f[0], ssrcs));
                return null;
            }

            private string? ParseRid(string? arg)
            {
                // a=rid:<rid-id> <direction> [pt=<fmt-list>;<restriction>=<value>...] (RFC 8851 §10)
                string[] f = (arg ?? string.Empty).Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 2)
                {
                    return "a=rid needs '<id> send|recv [<restrictions>]'";
                }

                RidDirection direction;
                switch (f[1])
                {
                    case "send":
                        direction = RidDirection.Send;
                        break;
                    case "recv":
                        direction = RidDirection.Recv;
                        break;
                    default:
                        return $"a=rid direction '{Shorten(f[1])}' is not send or recv";
                }

                Description.Rids.Add(new RidAttribute(f[0], direction, f.Length == 3 ? f[2] : null));
                return null;
            }

            /// <summary>Builds the codec list in m= line order once every line of the section is seen.</summary>
            public string? Finish()
            {
                if (!rtp)
                {
                    return null;
                }

                foreach (string format in Description.Formats)
                {
                    int pt = int.Parse(format, NumberStyles.None, CultureInfo.InvariantCulture);
                    (string Name, int ClockRate, int? Channels) map;
                    if (!_rtpmaps.TryGetValue(pt, out map) && !TryStatic(pt, out map))
                    {
                        // A dynamic type without rtpmap is unusable; tolerated and left out (RFC 8866 §6.6).
                        continue;
                    }

                    var codec = new RtpCodec
                    {
                        PayloadType = pt,
                        Name = map.Name,
                        ClockRate = map.ClockRate,
                        Channels = map.Channels,
                        Fmtp = _fmtps.GetValueOrDefault(pt),
                    };
                    if (_feedback.TryGetValue(pt, out List<string>? feedback))
                    {
                        foreach (string fb in feedback)
                        {
                            codec.RtcpFeedback.Add(fb);
                        }
                    }

                    Description.Codecs.Add(codec);
                }

                return null;
            }

            /// <summary>Static payload types browsers still list (RFC 3551 §6, Table 4).</summary>
            private static bool TryStatic(int pt, out (string Name, int ClockRate, int? Channels) map)
            {
                map = pt switch
                {
                    0 => ("PCMU", 8000, null),
                    8 => ("PCMA", 8000, null),
                    9 => ("G722", 8000, null),
                    13 => ("CN", 8000, null),
                    _ => (string.Empty, 0, null),
                };
                return map.ClockRate != 0;
            }
        }
    }
}
