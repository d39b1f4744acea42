using Microsoft.Playwright;

namespace Sfu.Browser.Tests;

/// <summary>
/// Pictures of the product for README, taken by the feature tests at a moment that shows the
/// feature (the lobby with a live room, a four-person room, the admin dashboard). They go to a temporary folder,
/// or, with SFU_WRITE_SCREENSHOTS=1, to docs/ beside SfuRouter.sln (so an ordinary test run
/// leaves the checkout clean).
/// </summary>
public static class Screenshots
{
    public static async Task TakeAsync(IPage page, string fileName, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(page);
        string docs = DocsFolder();
        PageViewportSizeResult? before = page.ViewportSize;
        await page.SetViewportSizeAsync(width, height);
        string path = Path.Combine(docs, fileName);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        if (before is not null)
        {
            await page.SetViewportSizeAsync(before.Width, before.Height);
        }

        Assert.True(new FileInfo(path).Length > 10_000, $"{fileName} has content");
    }

    /// <summary>The whole page, however long, at its current width.</summary>
    public static async Task TakeFullPageAsync(IPage page, string fileName)
    {
        ArgumentNullException.ThrowIfNull(page);
        string path = Path.Combine(DocsFolder(), fileName);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 10_000, $"{fileName} has content");
    }

    private static string DocsFolder()
    {
        return Environment.GetEnvironmentVariable("SFU_WRITE_SCREENSHOTS") == "1"
            ? Directory.CreateDirectory(Path.Combine(RepositoryRoot(), "docs")).FullName
            : Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "sfu-screenshots")).FullName;
    }

    /// <summary>The folder that holds SfuRouter.sln, found upward from the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SfuRouter.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("SfuRouter.sln was not found above " + AppContext.BaseDirectory);
    }
}
