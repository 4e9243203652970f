<#
.SYNOPSIS
    Runs the Pester tests of the MSCommerce module: unit, QA and integration.

.DESCRIPTION
    Installs Pester 5 (5.3 to 5.99.99, not 6, which needs PowerShell 7.4) and PSScriptAnalyzer 1.23.0 (used by the
    QA tests) for the current user when they are missing, with TLS 1.2 on Windows PowerShell 5.1,
    then runs every *.Tests.ps1 file under this folder and exits with 1 when anything failed, 0 otherwise.
    The integration tests (tag Integration) start the mscommerce binary: $env:MSCOMMERCE_BIN, else
    target/debug/mscommerce relative to the repository root (cargo build -p mscommerce-server builds it).
    Works on Windows PowerShell 5.1 and PowerShell 7.

.PARAMETER Tag
    Runs only the tests with one of these tags, for example Integration.

.PARAMETER ExcludeTag
    Skips the tests with one of these tags, for example Integration when no binary is built.

.PARAMETER Output
    How much Pester prints: None, Normal, Detailed or Diagnostic.

.PARAMETER SkipDependencyInstall
    Installs nothing; Pester 5.3 to 5.99.99 and PSScriptAnalyzer must already be available.

.EXAMPLE
    ./powershell/tests/Invoke-MSCommerceTests.ps1

    Runs everything.

.EXAMPLE
    ./powershell/tests/Invoke-MSCommerceTests.ps1 -ExcludeTag 'Integration'

    Runs the unit and QA tests only.

.EXAMPLE
    $env:MSCOMMERCE_BIN = './target/release/mscommerce'; ./powershell/tests/Invoke-MSCommerceTests.ps1 -Tag 'Integration' -Output 'Detailed'

    Runs the integration tests against a release build.
#>
[CmdletBinding()]
param(
    [string[]]$Tag,

    [string[]]$ExcludeTag,

    [ValidateSet('None', 'Normal', 'Detailed', 'Diagnostic')]
    [string]$Output = 'Normal',

    [switch]$SkipDependencyInstall
)

$ErrorActionPreference = 'Stop'
# Pester 5: Pester 6 needs PowerShell 7.4 or later (or 5.1), and the module supports 7.0 and later, so the newest
# Pester would not load everywhere the module runs (Pester 6.0.0, src/Pester.Types.ps1: on PowerShell 7 it loads
# bin/net8.0/Pester.dll, and .NET 8 is PowerShell 7.4's; its README: "Windows PowerShell 5.1 and PowerShell 7.4").
$minimumPester = [version]'5.3.0'
$maximumPester = '5.99.99'
# One PSScriptAnalyzer version, so that a new rule cannot fail the QA tests unseen.
$scriptAnalyzerVersion = [version]'1.23.0'

if (-not $SkipDependencyInstall -and $PSVersionTable.PSEdition -eq 'Desktop') {
    # Windows PowerShell 5.1 may default to TLS 1.0, which the PowerShell Gallery refuses.
    [System.Net.ServicePointManager]::SecurityProtocol = [System.Net.ServicePointManager]::SecurityProtocol -bor [System.Net.SecurityProtocolType]::Tls12
}

$pester = Get-Module -ListAvailable -Name 'Pester' |
    Where-Object -FilterScript { $_.Version -ge $minimumPester -and $_.Version -le [version]$maximumPester }
if (-not $pester -and -not $SkipDependencyInstall) {
    Write-Information -MessageData "Installing Pester $minimumPester to $maximumPester for the current user." -InformationAction Continue
    # -SkipPublisherCheck: Windows ships Pester 3.4 signed by another certificate; -Force: no prompt.
    $splatInstall = @{
        Name               = 'Pester'
        MinimumVersion     = $minimumPester
        MaximumVersion     = $maximumPester
        Scope              = 'CurrentUser'
        Force              = $true
        SkipPublisherCheck = $true
    }
    Install-Module @splatInstall
}
Import-Module -Name 'Pester' -MinimumVersion $minimumPester -MaximumVersion $maximumPester

$scriptAnalyzer = Get-Module -ListAvailable -Name 'PSScriptAnalyzer' | Where-Object -FilterScript { $_.Version -eq $scriptAnalyzerVersion }
if (-not $scriptAnalyzer -and -not $SkipDependencyInstall) {
    Write-Information -MessageData "Installing PSScriptAnalyzer $scriptAnalyzerVersion for the current user." -InformationAction Continue
    Install-Module -Name 'PSScriptAnalyzer' -RequiredVersion $scriptAnalyzerVersion -Scope 'CurrentUser' -Force
}

$configuration = New-PesterConfiguration
$configuration.Run.Path = $PSScriptRoot
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = $Output
if ($Tag) {
    $configuration.Filter.Tag = $Tag
}
if ($ExcludeTag) {
    $configuration.Filter.ExcludeTag = $ExcludeTag
}

$result = Invoke-Pester -Configuration $configuration
if ($result.Result -ne 'Passed' -or $result.FailedCount -gt 0 -or $result.FailedBlocksCount -gt 0 -or $result.FailedContainersCount -gt 0) {
    Write-Information -MessageData ("Tests failed: {0} test(s), {1} block(s), {2} file(s)." -f $result.FailedCount, $result.FailedBlocksCount, $result.FailedContainersCount) -InformationAction Continue
    exit 1
}
exit 0
