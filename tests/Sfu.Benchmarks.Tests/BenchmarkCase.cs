using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace Sfu.Benchmarks.Tests;

/// <summary>
/// One benchmark method with one combination of its class's [Params], driven the way
/// BenchmarkDotNet drives it (global setup, iteration setup, invocations, cleanup) but
/// in-process and for a few calls only, through a Func&lt;int&gt; so calling it allocates nothing.
/// </summary>
internal sealed class BenchmarkCase : IDisposable
{
    private readonly object _instance;
    private readonly MethodInfo? _iterationSetup;
    private readonly MethodInfo? _globalCleanup;
    private readonly Func<int> _invoke;

    private BenchmarkCase(Type type, MethodInfo method, IReadOnlyList<(PropertyInfo Property, object Value)> parameters)
    {
        _instance = Activator.CreateInstance(type)!;
        foreach ((PropertyInfo property, object value) in parameters)
        {
            property.SetValue(_instance, value);
        }

        Name = Describe(type, method, parameters);
        Categories = type.GetCustomAttribute<BenchmarkCategoryAttribute>()?.Categories ?? [];
        _iterationSetup = Find<IterationSetupAttribute>(type);
        _globalCleanup = Find<GlobalCleanupAttribute>(type);
        Find<GlobalSetupAttribute>(type)?.Invoke(_instance, null);
        _invoke = method.CreateDelegate<Func<int>>(_instance);
    }

    public string Name { get; }

    public IReadOnlyList<string> Categories { get; }

    public object Instance => _instance;

    /// <summary>Every [Benchmark] of the Sfu.Benchmarks assembly, crossed with its parameter values.</summary>
    public static IEnumerable<(string Name, Type Type, MethodInfo Method, IReadOnlyList<(PropertyInfo, object)> Parameters)> All()
    {
        foreach (Type type in typeof(BenchmarkCategories).Assembly.GetTypes().OrderBy(t => t.Name))
        {
            MethodInfo[] methods = [.. type.GetMethods().Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null)];
            if (methods.Length == 0)
            {
                continue;
            }

            foreach (IReadOnlyList<(PropertyInfo, object)> combination in Combinations(type))
            {
                foreach (MethodInfo method in methods)
                {
                    yield return (Describe(type, method, combination), type, method, combination);
                }
            }
        }
    }

    public static BenchmarkCase Create(string name)
    {
        (string _, Type type, MethodInfo method, IReadOnlyList<(PropertyInfo, object)> parameters) = All().Single(c => c.Name == name);
        return new BenchmarkCase(type, method, parameters);
    }

    private static string Describe(Type type, MethodInfo method, IReadOnlyList<(PropertyInfo Property, object Value)> parameters)
        => $"{type.Name}.{method.Name}({string.Join(", ", parameters.Select(p => $"{p.Property.Name}={p.Value}"))})";

    /// <summary>Like a BenchmarkDotNet iteration: the iteration setup, then <paramref name="count"/> calls; returns the last result.</summary>
    public int RunIteration(int count, Action<int>? check = null)
    {
        _iterationSetup?.Invoke(_instance, null);
        int result = 0;
        for (int i = 0; i < count; i++)
        {
            result = _invoke();
            check?.Invoke(result);
        }

        return result;
    }

    /// <summary>
    /// Bytes allocated on this thread by <paramref name="count"/> calls after the iteration
    /// setup; the warm-up is the caller's <see cref="RunIteration"/>, which also checks results.
    /// </summary>
    public long MeasureAllocatedBytes(int count)
    {
        _iterationSetup?.Invoke(_instance, null);
        Func<int> invoke = _invoke;
        return Allocations.Measure(() => invoke(), count, warmUp: 0);
    }

    public override string ToString() => Name;

    public void Dispose() => _globalCleanup?.Invoke(_instance, null);

    private static MethodInfo? Find<TAttribute>(Type type)
        where TAttribute : Attribute
        => type.GetMethods().SingleOrDefault(m => m.GetCustomAttribute<TAttribute>() is not null);

    private static List<IReadOnlyList<(PropertyInfo, object)>> Combinations(Type type)
    {
        List<IReadOnlyList<(PropertyInfo, object)>> combinations = [[]];
        foreach (PropertyInfo property in type.GetProperties())
        {
            if (property.GetCustomAttribute<ParamsAttribute>() is not { } values)
            {
                continue;
            }

            combinations =
            [
                .. combinations.SelectMany(existing => values.Values.Select(value =>
                    (IReadOnlyList<(PropertyInfo, object)>)[.. existing, (property, value!)])),
            ];
        }

        return combinations;
    }
}
