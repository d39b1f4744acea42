namespace Sfu.Core.Negotiation;

/// <summary>
/// The value of a=simulcast (RFC 8853 §5.1): the streams sent and received, each a list of
/// alternative rids ("send q;h;f" is three streams of one alternative each; "send 1,2;3" has two
/// streams, the first with two alternatives; a "~" marks a stream that starts paused). We keep
/// each stream's first alternative, in the writer's order, without the pause mark.
/// </summary>
public sealed record SimulcastDescription(IReadOnlyList<string> Send, IReadOnlyList<string> Receive)
{
    /// <summary>Reads "send a;b recv c"; false when the value does not follow the grammar.</summary>
    public static bool TryParse(string? value, out SimulcastDescription description)
    {
        description = new SimulcastDescription([], []);
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        string[] parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is not (2 or 4))
        {
            return false;
        }

        List<string>? send = null;
        List<string>? receive = null;
        for (int i = 0; i < parts.Length; i += 2)
        {
            List<string>? streams = Streams(parts[i + 1]);
            if (streams is null)
            {
                return false;
            }

            switch (parts[i])
            {
                case "send" when send is null:
                    send = streams;
                    break;
                case "recv" when receive is null:
                    receive = streams;
                    break;
                default:
                    return false;
            }
        }

        description = new SimulcastDescription(send ?? [], receive ?? []);
        return true;
    }

    /// <summary>The value with the directions swapped, as the answerer writes it (RFC 8853 §5.3).</summary>
    public string Mirrored()
    {
        var parts = new List<string>(4);
        if (Send.Count > 0)
        {
            parts.Add("recv " + string.Join(';', Send));
        }

        if (Receive.Count > 0)
        {
            parts.Add("send " + string.Join(';', Receive));
        }

        return string.Join(' ', parts);
    }

    private static List<string>? Streams(string list)
    {
        var streams = new List<string>();
        foreach (string stream in list.Split(';'))
        {
            string first = stream.Split(',')[0].TrimStart('~');
            if (first.Length == 0 || first.Length > 16 || !first.All(char.IsAsciiLetterOrDigit))
            {
                return null;
            }

            streams.Add(first);
        }

        return streams;
    }
}
