using System.Buffers.Binary;
using CsCheck;

namespace Sfu.Core.Tests.Fuzz;

/// <summary>
/// Inputs for a parser: a seed with a few mutations that break what parsers trust (lengths,
/// counts, flags, truncation), or bytes at random. Each case is (seed, mutation count, salt),
/// so CsCheck shrinks a failure to the fewest mutations and prints a seed that replays it.
/// </summary>
internal static class Mutations
{
    /// <summary>Values that sit on the edges of the length and count fields parsers read.</summary>
    private static readonly ushort[] Interesting = [0, 1, 2, 3, 4, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF];

    /// <summary>Mutated seeds three times in four, random bytes (up to a datagram) otherwise.</summary>
    public static Gen<byte[]> Of(byte[][] seeds)
    {
        Gen<byte[]> mutated = Gen.Select(Gen.Int[0, seeds.Length - 1], Gen.Int[1, 8], Gen.Int)
            .Select((seed, count, salt) => Mutate(seeds[seed], count, salt));
        Gen<byte[]> random = Gen.Byte.Array[0, 1500];
        return Gen.Frequency((3, mutated), (1, random));
    }

    /// <summary>SDP text: seeds mutated as bytes or as lines.</summary>
    public static Gen<string> OfText(byte[][] seeds)
        => Gen.Select(Gen.Int[0, seeds.Length - 1], Gen.Int[1, 8], Gen.Int, Gen.Bool)
            .Select((seed, count, salt, lines) => lines
                ? MutateLines(System.Text.Encoding.UTF8.GetString(seeds[seed]), count, salt)
                : System.Text.Encoding.UTF8.GetString(Mutate(seeds[seed], count, salt)));

    public static byte[] Mutate(byte[] seed, int count, int salt)
    {
        var random = new Random(salt);
        var data = new List<byte>(seed);
        Span<byte> field = stackalloc byte[2];
        for (int i = 0; i < count; i++)
        {
            int at = data.Count == 0 ? 0 : random.Next(data.Count);
            switch (random.Next(8))
            {
                case 0 when data.Count > 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[at] = (byte)random.Next(256);
                    break;
                case 2 when data.Count > 1:
                    // A big-endian 16-bit field set to an edge value: lengths, counts, sequence numbers.
                    at = Math.Min(at, data.Count - 2);
                    BinaryPrimitives.WriteUInt16BigEndian(field, Interesting[random.Next(Interesting.Length)]);
                    data[at] = field[0];
                    data[at + 1] = field[1];
                    break;
                case 3:
                    data.InsertRange(at, Enumerable.Range(0, random.Next(1, 16)).Select(_ => (byte)random.Next(256)));
                    break;
                case 4 when data.Count > 0:
                    data.RemoveRange(at, Math.Min(data.Count - at, random.Next(1, 16)));
                    break;
                case 5:
                    data.RemoveRange(at, data.Count - at); // truncated
                    break;
                case 6 when data.Count > 0:
                    int length = Math.Min(data.Count - at, random.Next(1, 64));
                    data.InsertRange(at, data.GetRange(at, length)); // a run repeated
                    break;
                default:
                    if (data.Count > 0)
                    {
                        data[at] = random.Next(2) == 0 ? (byte)0 : (byte)0xFF;
                    }

                    break;
            }
        }

        return [.. data];
    }

    private static string MutateLines(string sdp, int count, int salt)
    {
        var random = new Random(salt);
        var lines = new List<string>(sdp.Split('\n'));
        string[] numbers = ["0", "-1", "65536", "4294967296", "99999999999999999999", "127", "128", "256"];
        for (int i = 0; i < count && lines.Count > 0; i++)
        {
            int at = random.Next(lines.Count);
            switch (random.Next(5))
            {
                case 0:
                    lines.RemoveAt(at);
                    break;
                case 1:
                    lines.Insert(random.Next(lines.Count), lines[at]); // a line repeated elsewhere
                    break;
                case 2:
                    (lines[at], lines[^1]) = (lines[^1], lines[at]);
                    break;
                case 3:
                    // Every run of digits on the line becomes an edge value.
                    lines[at] = System.Text.RegularExpressions.Regex.Replace(lines[at], "[0-9]+", _ => numbers[random.Next(numbers.Length)]);
                    break;
                default:
                    lines[at] = lines[at][..random.Next(lines[at].Length + 1)];
                    break;
            }
        }

        return string.Join('\n', lines);
    }
}
