using System.Globalization;

namespace Sfu.Core.Negotiation;

/// <summary>Media-level attributes: direction, mid, ICE and DTLS attributes, flags, header extensions and candidates.</summary>
public static partial class SdpParser
{
    /// <summary>Collects one m= section; codec lines may come in any order (Firefox writes all fmtp first).</summary>
    private sealed partial class MediaState(MediaDescription description, HashSet<int> payloadTypes, bool rtp)
    {
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
                case "bundle-only" when arg is null:
                    m.BundleOnly = true;
                    return null;
                case "extmap-allow-mixed" when arg is null:
                    m.ExtmapAllowMixed = true;
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
                    return ParseMsid(arg);
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
    }
}
