using System.Buffers.Binary;

namespace Sfu.Core.Tests.Rtp;

/// <summary>Builds RTP packets independently of the code under test, for property tests.</summary>
internal static class RtpTestPackets
{
    public static byte[] Build(int csrcCount, bool twoByte, List<(byte Id, byte[] Value)> elements, byte[] payload, int padding)
    {
        var bytes = new List<byte>
        {
            (byte)(0x80 | (padding > 0 ? 0x20 : 0) | (elements.Count > 0 ? 0x10 : 0) | csrcCount),
            0x60, 0x12, 0x34, 0, 0, 0x10, 0, 0xAA, 0xBB, 0xCC, 0xDD,
        };
        for (int i = 0; i < csrcCount; i++)
        {
            bytes.AddRange([0x10, 0x20, 0x30, (byte)i]);
        }

        if (elements.Count > 0)
        {
            var block = new List<byte>();
            foreach ((byte id, byte[] value) in elements)
            {
                if (twoByte)
                {
                    block.Add(id);
                    block.Add((byte)value.Length);
                }
                else
                {
                    block.Add((byte)((id << 4) | (value.Length - 1)));
                }

                block.AddRange(value);
            }

            while (block.Count % 4 != 0)
            {
                block.Add(0);
            }

            var header = new byte[4];
            BinaryPrimitives.WriteUInt16BigEndian(header, twoByte ? (ushort)0x1000 : (ushort)0xBEDE);
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)(block.Count / 4));
            bytes.AddRange(header);
            bytes.AddRange(block);
        }

        bytes.AddRange(payload);
        for (int i = 1; i < padding; i++)
        {
            bytes.Add(0);
        }

        if (padding > 0)
        {
            bytes.Add((byte)padding);
        }

        return [.. bytes];
    }
}
