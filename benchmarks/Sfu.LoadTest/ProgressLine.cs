namespace Sfu.LoadTest;

/// <summary>The live status on stderr: one line rewritten in place on a terminal, one line per update otherwise.</summary>
internal sealed class ProgressLine(TextWriter writer, bool inPlace)
{
    private int _lastLength;

    public static ProgressLine ForConsole() => new(Console.Error, !Console.IsErrorRedirected);

    public void Update(string text)
    {
        if (!inPlace)
        {
            writer.WriteLine(text);
            return;
        }

        writer.Write('\r' + text.PadRight(_lastLength));
        _lastLength = text.Length;
    }

    public void Done()
    {
        if (inPlace && _lastLength > 0)
        {
            writer.WriteLine();
            _lastLength = 0;
        }
    }
}
