# Helpers shared by the Pester tests of the MSCommerce module: where the module is, test objects shaped like the
# service's answers, and starting and stopping the real mscommerce binary for the integration tests.

function Get-MSCommerceTestModulePath {
    <#
    .SYNOPSIS
        Returns the path of MSCommerce.psd1.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()

    return (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce/MSCommerce.psd1')
}

function Import-MSCommerceTestModule {
    <#
    .SYNOPSIS
        Imports a fresh copy of the module from the repository.
    #>
    [CmdletBinding()]
    [OutputType([void])]
    param()

    Get-Module -Name 'MSCommerce' -All | Remove-Module -Force
    # -Global: called from inside this helper module, Import-Module would import into the helper's own session
    # state (ModuleCmdletBase.cs, TargetSessionState: the caller's session state unless BaseGlobal), so the tests
    # would not see the commands, and an installed copy of Microsoft's MSCommerce would be auto-loaded instead.
    Import-Module -Name (Get-MSCommerceTestModulePath) -Global -Force -ErrorAction Stop
}

function New-MSCommerceTestProductItem {
    <#
    .SYNOPSIS
        Returns a product item shaped like the service's JSON.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [string]$ProductId,

        [string]$ProductName = 'Test product',

        [string]$PolicyValue = 'Enabled'
    )

    [pscustomobject]@{
        policyId    = 'AllowSelfServicePurchase'
        policyValue = $PolicyValue
        productId   = $ProductId
        productName = $ProductName
        scope       = 'product'
    }
}

function New-MSCommerceTestOfferTypeItem {
    <#
    .SYNOPSIS
        Returns an offer-type item shaped like the service's JSON.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [string]$ScopeId,

        [string]$ScopeValue = 'Software as a Service',

        [string]$PolicyValue = 'Enabled'
    )

    [pscustomobject]@{
        policyId    = 'AllowSelfServicePurchase'
        policyValue = $PolicyValue
        scope       = 'OfferType'
        scopeId     = $ScopeId
        scopeValue  = $ScopeValue
    }
}

function Get-MSCommerceTestBinaryPath {
    <#
    .SYNOPSIS
        Returns the path of the mscommerce binary: $env:MSCOMMERCE_BIN, else target/debug/mscommerce.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()

    if (-not [string]::IsNullOrEmpty($env:MSCOMMERCE_BIN)) {
        return $env:MSCOMMERCE_BIN
    }
    $root = Resolve-Path -Path (Join-Path -Path $PSScriptRoot -ChildPath '../..')
    $name = 'mscommerce'
    if ($PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows) {
        $name = 'mscommerce.exe'
    }
    return (Join-Path -Path $root -ChildPath (Join-Path -Path 'target/debug' -ChildPath $name))
}

function Get-MSCommerceTestFreePort {
    <#
    .SYNOPSIS
        Returns a TCP port that is free on 127.0.0.1 right now.
    #>
    [CmdletBinding()]
    [OutputType([int])]
    param()

    $listener = New-Object -TypeName System.Net.Sockets.TcpListener -ArgumentList ([System.Net.IPAddress]::Loopback), 0
    $listener.Start()
    try {
        return $listener.LocalEndpoint.Port
    }
    finally {
        $listener.Stop()
    }
}

function Start-MSCommerceTestService {
    <#
    .SYNOPSIS
        Starts 'mscommerce serve' on a free port with a new SQLite file and waits until /readyz answers.

    .DESCRIPTION
        Returns an object with Process, Uri, Directory (the temporary folder with the database and the logs),
        AdminUser and AdminPassword. Stop it with Stop-MSCommerceTestService.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '',
        Justification = 'Test helper; starts a process the tests own.')]
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [ValidateRange(1, 600)]
        [int]$TimeoutSec = 60
    )

    $binary = Get-MSCommerceTestBinaryPath
    if (-not (Test-Path -Path $binary -PathType Leaf)) {
        throw "The mscommerce binary is not at '$binary'. Build it (cargo build -p mscommerce-server) or set MSCOMMERCE_BIN."
    }

    $directory = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath ('mscommerce-pester-' + [guid]::NewGuid().ToString('N'))
    $null = New-Item -Path $directory -ItemType Directory -Force
    $port = Get-MSCommerceTestFreePort
    $password = 'Pester-' + [guid]::NewGuid().ToString('N')
    $databasePath = (Join-Path -Path $directory -ChildPath 'mscommerce.db').Replace('\', '/')
    # Emails (take-overs notify the purchaser) go to the temporary folder, not to data/mail under the current one.
    $environment = @{
        MSCOMMERCE_LISTEN                   = "127.0.0.1:$port"
        MSCOMMERCE_DATABASE_URL             = "sqlite://$databasePath"
        MSCOMMERCE_BOOTSTRAP_ADMIN_PASSWORD = $password
        MSCOMMERCE_MAIL_FOLDER              = (Join-Path -Path $directory -ChildPath 'mail')
    }

    # Start-Process has no -Environment on Windows PowerShell 5.1: set the variables, start, restore.
    $saved = @{}
    foreach ($name in $environment.Keys) {
        $saved[$name] = [System.Environment]::GetEnvironmentVariable($name)
        [System.Environment]::SetEnvironmentVariable($name, $environment[$name])
    }
    try {
        $splatProcess = @{
            FilePath               = $binary
            ArgumentList           = 'serve'
            RedirectStandardOutput = (Join-Path -Path $directory -ChildPath 'stdout.log')
            RedirectStandardError  = (Join-Path -Path $directory -ChildPath 'stderr.log')
            PassThru               = $true
        }
        if ($PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows) {
            $splatProcess['NoNewWindow'] = $true
        }
        $process = Start-Process @splatProcess
    }
    finally {
        foreach ($name in $saved.Keys) {
            [System.Environment]::SetEnvironmentVariable($name, $saved[$name])
        }
    }

    $service = [pscustomobject]@{
        Process       = $process
        Uri           = "http://127.0.0.1:$port"
        Directory     = $directory
        DatabaseUrl   = $environment['MSCOMMERCE_DATABASE_URL']
        AdminUser     = 'admin@contoso.onmicrosoft.com'
        AdminPassword = $password
    }
    $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSec)
    while ([datetime]::UtcNow -lt $deadline) {
        if ($process.HasExited) {
            $log = Get-Content -Path (Join-Path -Path $directory -ChildPath 'stderr.log') -Raw -ErrorAction SilentlyContinue
            throw "mscommerce serve exited with code $($process.ExitCode) before it was ready: $log"
        }
        try {
            $ready = Invoke-WebRequest -Uri "$($service.Uri)/readyz" -UseBasicParsing -TimeoutSec 2 -ErrorAction Stop
            if ($ready.StatusCode -eq 200) {
                return $service
            }
        }
        catch {
            Start-Sleep -Milliseconds 200
        }
    }
    Stop-MSCommerceTestService -Service $service
    throw "mscommerce serve did not become ready at $($service.Uri) within $TimeoutSec seconds."
}

function Stop-MSCommerceTestService {
    <#
    .SYNOPSIS
        Stops the process started by Start-MSCommerceTestService and removes its temporary folder.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '',
        Justification = 'Test helper; stops the process the tests started.')]
    [CmdletBinding()]
    [OutputType([void])]
    param(
        [Parameter(Mandatory)]
        [pscustomobject]$Service
    )

    if ($null -ne $Service.Process -and -not $Service.Process.HasExited) {
        Stop-Process -Id $Service.Process.Id -Force -ErrorAction SilentlyContinue
        $null = $Service.Process.WaitForExit(10000)
    }
    Remove-Item -Path $Service.Directory -Recurse -Force -ErrorAction SilentlyContinue
}

function Invoke-MSCommerceTestCli {
    <#
    .SYNOPSIS
        Runs an administration command of the mscommerce binary against the database of a test service and
        returns its standard output lines, for example: tenant list; app create --tenant <id> --name <name>
        --permission <permission>; user create --tenant <id> --upn <upn> --display-name <name> --password-stdin
        (with -StandardInput <password>).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [pscustomobject]$Service,

        [Parameter(Mandatory)]
        [string[]]$ArgumentList,

        # A line written to the command's standard input.
        [string]$StandardInput
    )

    $binary = Get-MSCommerceTestBinaryPath
    $saved = [System.Environment]::GetEnvironmentVariable('MSCOMMERCE_DATABASE_URL')
    [System.Environment]::SetEnvironmentVariable('MSCOMMERCE_DATABASE_URL', $Service.DatabaseUrl)
    try {
        if ($PSBoundParameters.ContainsKey('StandardInput')) {
            $output = @($StandardInput | & $binary @ArgumentList)
        }
        else {
            $output = @(& $binary @ArgumentList)
        }
        if ($LASTEXITCODE -ne 0) {
            throw "mscommerce $($ArgumentList -join ' ') exited with code $LASTEXITCODE."
        }
        return $output
    }
    finally {
        [System.Environment]::SetEnvironmentVariable('MSCOMMERCE_DATABASE_URL', $saved)
    }
}

function Get-MSCommerceTestTenantId {
    <#
    .SYNOPSIS
        Returns the ID of the first tenant of a test service (the one created on its empty database).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [pscustomobject]$Service
    )

    return ((Invoke-MSCommerceTestCli -Service $Service -ArgumentList @('tenant', 'list'))[0] -split "`t")[0]
}

function New-MSCommerceTestUser {
    <#
    .SYNOPSIS
        Creates a member of a test service's tenant with the admin command line and returns its user ID.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '',
        Justification = 'Test helper; creates a fixture in the test database.')]
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [pscustomobject]$Service,

        [Parameter(Mandatory)]
        [string]$TenantId,

        [Parameter(Mandatory)]
        [string]$UserPrincipalName,

        [Parameter(Mandatory)]
        [string]$DisplayName,

        [Parameter(Mandatory)]
        [string]$Password
    )

    # The password goes through standard input (--password-stdin): it stays out of the environment, and the
    # command writes nothing to standard error.
    $splatCli = @{
        Service       = $Service
        ArgumentList  = @('user', 'create', '--tenant', $TenantId, '--upn', $UserPrincipalName, '--display-name', $DisplayName, '--password-stdin')
        StandardInput = $Password
    }
    return ([string]@(Invoke-MSCommerceTestCli @splatCli)[0]).Trim()
}

function Get-MSCommerceTestToken {
    <#
    .SYNOPSIS
        Signs a user in to a test service with the password grant and returns the access token.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [pscustomobject]$Service,

        [Parameter(Mandatory)]
        [string]$UserName,

        [Parameter(Mandatory)]
        [string]$Password
    )

    $splatToken = @{
        Method          = 'Post'
        Uri             = "$($Service.Uri)/oauth2/v2.0/token"
        Body            = @{ grant_type = 'password'; username = $UserName; password = $Password }
        ContentType     = 'application/x-www-form-urlencoded'
        UseBasicParsing = $true
    }
    return (Invoke-RestMethod @splatToken).access_token
}

function Invoke-MSCommerceTestApi {
    <#
    .SYNOPSIS
        Sends one JSON request to a test service, for what the module has no command for (a user buying a
        subscription, assigning licenses, an administrator buying a central subscription), and returns the
        decoded answer.
    #>
    [CmdletBinding()]
    [OutputType([psobject])]
    param(
        [Parameter(Mandatory)]
        [pscustomobject]$Service,

        [Parameter(Mandatory)]
        [ValidateSet('GET', 'POST', 'PATCH')]
        [string]$Method,

        [Parameter(Mandatory)]
        [string]$Path,

        [Parameter(Mandatory)]
        [string]$Token,

        [object]$Body
    )

    $splatRequest = @{
        Method          = $Method
        Uri             = "$($Service.Uri)$Path"
        Headers         = @{ Authorization = "Bearer $Token" }
        UseBasicParsing = $true
    }
    if ($PSBoundParameters.ContainsKey('Body')) {
        $splatRequest['Body'] = [System.Text.Encoding]::UTF8.GetBytes((ConvertTo-Json -InputObject $Body -Depth 5 -Compress))
        $splatRequest['ContentType'] = 'application/json; charset=utf-8'
    }
    return Invoke-RestMethod @splatRequest
}

function New-MSCommerceTestSubscription {
    <#
    .SYNOPSIS
        A subscription as the service answers it, with one assigned user (none with -NoUsers, as in a list).
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '',
        Justification = 'Test helper; creates an object in memory.')]
    [CmdletBinding()]
    [OutputType([psobject])]
    param(
        [string]$Id = '11111111-1111-1111-1111-111111111111',

        [string]$Status = 'Active',

        [switch]$NoUsers
    )

    $subscription = [pscustomobject]@{
        id               = $Id
        productId        = 'CFQ7TTC0H9MP'
        productName      = 'Power BI Pro'
        scope            = 'product'
        purchaseType     = 'SelfService'
        acquisitionKind  = 'Purchase'
        purchaser        = [pscustomobject]@{ id = 'p1'; displayName = 'Ann'; userPrincipalName = 'ann@contoso.onmicrosoft.com' }
        quantity         = 5
        assignedCount    = 1
        unitPrice        = '16.80'
        totalPrice       = '84.00'
        currency         = 'USD'
        billingFrequency = 'Monthly'
        createdAt        = '2026-11-25T06:30:00.000Z'
        expiresAt        = '2026-12-25T06:30:00.000Z'
        autoRenew        = $true
        status           = $Status
        etag             = '"1"'
        assignedUsers    = @([pscustomobject]@{ id = 'u1'; displayName = 'Bob'; userPrincipalName = 'bob@contoso.onmicrosoft.com'; assignedAt = '2026-11-25T06:31:00.000Z' })
    }
    if ($NoUsers) {
        $subscription.PSObject.Properties.Remove('assignedUsers')
    }
    if ($Status -eq 'Deleted') {
        $subscription | Add-Member -NotePropertyName 'cancelledAt' -NotePropertyValue '2026-11-26T08:00:00.000Z'
        $subscription | Add-Member -NotePropertyName 'cancellationReason' -NotePropertyValue 'NoLongerNeeded'
        $subscription | Add-Member -NotePropertyName 'cancellationComment' -NotePropertyValue 'Unused'
    }
    return $subscription
}

function New-MSCommerceTestLicenseRequest {
    <#
    .SYNOPSIS
        A license request as the service answers it: Pending with the requester and one other user, or (with
        -Status Approved or Denied) answered.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '',
        Justification = 'Test helper; creates an object in memory.')]
    [CmdletBinding()]
    [OutputType([psobject])]
    param(
        [string]$Id = '22222222-2222-2222-2222-222222222222',

        [ValidateSet('Pending', 'Approved', 'Denied')]
        [string]$Status = 'Pending'
    )

    # Every user of an answered request has the request's outcome (all approved, or all denied).
    $outcome = $Status
    $request = [pscustomobject]@{
        id          = $Id
        productId   = 'CFQ7TTC0H9MP'
        productName = 'Power BI Pro'
        scope       = 'product'
        requester   = [pscustomobject]@{ id = 'r1'; displayName = 'Ria'; userPrincipalName = 'ria@contoso.onmicrosoft.com' }
        users       = @(
            [pscustomobject]@{ id = 'r1'; displayName = 'Ria'; userPrincipalName = 'ria@contoso.onmicrosoft.com'; outcome = $outcome }
            [pscustomobject]@{ id = 'u2'; displayName = 'Sam'; userPrincipalName = 'sam@contoso.onmicrosoft.com'; outcome = $outcome }
        )
        message     = 'I build the sales reports.'
        status      = $Status
        createdAt   = '2026-12-01T09:15:00.000Z'
    }
    if ($Status -ne 'Pending') {
        $request | Add-Member -NotePropertyName 'answeredAt' -NotePropertyValue '2026-12-02T10:00:00.000Z'
        $request | Add-Member -NotePropertyName 'answeredBy' -NotePropertyValue ([pscustomobject]@{ id = 'a1'; displayName = 'Admin'; userPrincipalName = 'admin@contoso.onmicrosoft.com' })
        $request | Add-Member -NotePropertyName 'answerMessage' -NotePropertyValue 'Enjoy.'
    }
    if ($Status -eq 'Approved') {
        $request | Add-Member -NotePropertyName 'subscriptionId' -NotePropertyValue '33333333-3333-3333-3333-333333333333'
    }
    return $request
}

function New-MSCommerceTestErrorRecord {
    <#
    .SYNOPSIS
        An ErrorRecord as Invoke-MSCommerceRestMethod throws it for an answer of the service, for mocks.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '',
        Justification = 'Test helper; creates an object in memory.')]
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory)]
        [string]$ErrorCode,

        [Parameter(Mandatory)]
        [System.Management.Automation.ErrorCategory]$Category,

        [string]$Message = 'Request failed, ErrorMessage - failed ErrorDetails - {}',

        [object]$TargetObject
    )

    $exception = New-Object -TypeName System.InvalidOperationException -ArgumentList $Message
    $exception.Data['ErrorCode'] = $ErrorCode
    return (New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, $ErrorCode, $Category, $TargetObject)
}

Export-ModuleMember -Function @(
    'New-MSCommerceTestSubscription'
    'New-MSCommerceTestLicenseRequest'
    'New-MSCommerceTestErrorRecord'
    'Invoke-MSCommerceTestCli'
    'Get-MSCommerceTestTenantId'
    'New-MSCommerceTestUser'
    'Get-MSCommerceTestToken'
    'Invoke-MSCommerceTestApi'
    'Get-MSCommerceTestModulePath'
    'Import-MSCommerceTestModule'
    'New-MSCommerceTestProductItem'
    'New-MSCommerceTestOfferTypeItem'
    'Get-MSCommerceTestBinaryPath'
    'Start-MSCommerceTestService'
    'Stop-MSCommerceTestService'
)
