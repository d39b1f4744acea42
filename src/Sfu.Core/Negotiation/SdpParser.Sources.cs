using System.Globalization;

namespace Sfu.Core.Negotiation;

/// <summary>Media source attributes: msid, ssrc, ssrc-group and rid.</summary>
public static partial class SdpParser
{
    private sealed partial class MediaState
    {
        private string? ParseMsid(string? arg)
        {
            // a=msid:<stream id> [<track id>] (RFC 8830 §2)
            string[] f = (arg ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length is < 1 or > 2)
            {
                return "a=msid needs '<stream id> [<track id>]'";
            }

            Description.Msids.Add(new MsidAttribute(f[0], f.Length == 2 ? f[1] : null));
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
    }
}
