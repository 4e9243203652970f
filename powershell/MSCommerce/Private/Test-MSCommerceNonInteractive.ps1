function Test-MSCommerceNonInteractive {
    <#
    .SYNOPSIS
        Tells whether PowerShell was started with -NonInteractive.

    .DESCRIPTION
        No public API tells a script whether its host was started with -NonInteractive, so this reads the
        process's command line ([Environment]::GetCommandLineArgs()) the way the engine's console host does
        (PowerShell's src/Microsoft.PowerShell.ConsoleHost/host/msh/CommandLineParameterParser.cs, GetSwitchKey
        and MatchSwitch): a switch starts with '-', '--' or '/', any prefix of 'noninteractive' of at least
        'noni' counts, case-insensitively. The first argument that is not a switch is a script file, and -File,
        -Command and -EncodedCommand take the rest of the line: what follows them are the script's own
        arguments and not read. The values of the switches that take one (-ExecutionPolicy Bypass and the like)
        are skipped.

    .PARAMETER CommandLine
        The command line to read, the program first; by default the current process's.

    .EXAMPLE
        Test-MSCommerceNonInteractive

        Returns $true in 'pwsh -NonInteractive -File ./task.ps1'.

    .EXAMPLE
        Test-MSCommerceNonInteractive -CommandLine @('pwsh', '-noni', '-c', 'Connect-MSCommerce')

        Returns $true.

    .OUTPUTS
        System.Boolean.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [string[]]$CommandLine = [Environment]::GetCommandLineArgs()
    )

    # (full name, shortest accepted prefix) as in CommandLineParameterParser.cs.
    $takesRest = @(@('command', 'c'), @('file', 'f'), @('encodedcommand', 'e'), @('ec', 'e'))
    $takesValue = @(
        @('executionpolicy', 'ex'), @('ep', 'ep'), @('workingdirectory', 'wo'), @('wd', 'wd'),
        @('settingsfile', 'settings'), @('outputformat', 'o'), @('of', 'o'), @('inputformat', 'in'),
        @('if', 'if'), @('configurationname', 'config'), @('windowstyle', 'w'), @('custompipename', 'cus'),
        @('encodedarguments', 'encodeda'), @('ea', 'ea'), @('psconsolefile', 'psc')
    )
    $matchesSwitch = {
        param($Key, $Names)
        foreach ($name in $Names) {
            if ($Key.Length -ge $name[1].Length -and $name[0].StartsWith($Key, [System.StringComparison]::OrdinalIgnoreCase)) {
                return $true
            }
        }
        return $false
    }

    $arguments = @($CommandLine)
    for ($index = 1; $index -lt $arguments.Count; $index++) {
        $argument = ([string]$arguments[$index]).Trim()
        if ($argument.Length -eq 0) {
            continue
        }
        $first = $argument[0]
        if ($first -ne '-' -and $first -ne '/') {
            return $false
        }
        $key = $argument.Substring(1)
        if ($first -eq '-' -and $key.StartsWith('-')) {
            $key = $key.Substring(1)
        }
        # A value after a colon (-ExecutionPolicy:Bypass) belongs to the switch.
        $key = $key.Split(':')[0]
        if ($key.Length -eq 0) {
            continue
        }
        if ($key.Length -ge 4 -and 'noninteractive'.StartsWith($key, [System.StringComparison]::OrdinalIgnoreCase)) {
            return $true
        }
        if (& $matchesSwitch $key $takesRest) {
            return $false
        }
        if (& $matchesSwitch $key $takesValue) {
            $index++
        }
    }
    return $false
}
