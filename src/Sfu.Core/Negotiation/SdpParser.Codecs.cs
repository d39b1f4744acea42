using System.Globalization;

namespace Sfu.Core.Negotiation;

/// <summary>Codec attributes: rtpmap, fmtp and rtcp-fb per payload type, and the codec list built from them.</summary>
public static partial class SdpParser
{
    private sealed partial class MediaState
    {
        private readonly Dictionary<int, (string Name, int ClockRate, int? Channels)> _rtpmaps = [];
        private readonly Dictionary<int, string> _fmtps = [];
        private readonly Dictionary<int, List<string>> _feedback = [];

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
