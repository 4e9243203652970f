<#
.SYNOPSIS
    Runs the Pester tests of the MSCommerce module: unit, QA and integration.

.DESCRIPTION
    Installs Pester 5 (and PSScriptAnalyzer, used by the QA tests) for the current user when they are missing,
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
    Installs nothing; Pester 5.3 or later must already be available.

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
$minimumPester = [version]'5.3.0'

$pester = Get-Module -ListAvailable -Name 'Pester' | Where-Object -FilterScript { $_.Version -ge $minimumPester }
if (-not $pester -and -not $SkipDependencyInstall) {
    Write-Information -MessageData "Installing Pester $minimumPester or later for the current user." -InformationAction Continue
    # -SkipPublisherCheck: Windows ships Pester 3.4 signed by another certificate; -Force: no prompt.
    $splatInstall = @{
        Name               = 'Pester'
        MinimumVersion     = $minimumPester
        Scope              = 'CurrentUser'
        Force              = $true
        SkipPublisherCheck = $true
    }
    Install-Module @splatInstall
}
Import-Module -Name 'Pester' -MinimumVersion $minimumPester

if (-not (Get-Module -ListAvailable -Name 'PSScriptAnalyzer') -and -not $SkipDependencyInstall) {
    Write-Information -MessageData 'Installing PSScriptAnalyzer for the current user.' -InformationAction Continue
    Install-Module -Name 'PSScriptAnalyzer' -Scope 'CurrentUser' -Force
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
