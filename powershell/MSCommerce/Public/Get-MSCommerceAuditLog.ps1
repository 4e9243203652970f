function Get-MSCommerceAuditLog {
    <#
    .SYNOPSIS
        Reads the audit log: policy changes (who changed which value, when, from what to what), or every event.

    .DESCRIPTION
        Calls GET /v1.0/auditLogs/policyChanges and follows nextLink page after page, newest change first. Each
        change is an MSCommerce.AuditEntry object: Id, ChangedAt (UTC DateTime), PolicyId, Scope, TargetId,
        TargetName, OldValue, NewValue, ActorId, ActorName, ActorType (User or App) and CorrelationId (the
        x-ms-correlation-id of the request that made the change). Entries are written as each page arrives, so
        Select-Object -First and Where-Object stop or filter early. A PUT that sets the value a product already
        has is not a change and leaves no entry.

        With -AllEvents, calls GET /v1.0/auditLogs/events instead, with the same paging: every audited event of
        the organization, newest first, as MSCommerce.AuditEvent objects (see -AllEvents). Without it the command
        reads and returns what it always did.

    .PARAMETER AllEvents
        Reads every audited event of the organization instead of the policy changes only
        (GET /v1.0/auditLogs/events): policy changes, users and apps created or changed, subscriptions bought or
        refused, licenses assigned, quantities changed, cancellations and take-overs. Action is one of
        PolicyValueChanged, TenantCreated, UserCreated, UserUpdated, AppCreated, SubscriptionCreated,
        AcquisitionRefused, LicensesAssigned, LicensesUnassigned, QuantityChanged, AutoRenewChanged,
        SubscriptionCancelled, UsersMoved, SubscriptionRenewed, SubscriptionStatusChanged. Each event is an MSCommerce.AuditEvent: Id,
        OccurredAt (UTC DateTime), Action, TargetType, TargetId, TargetName, OldValue, NewValue, ActorId,
        ActorName, ActorType (User, App, Cli, or System for the subscription lifecycle), CorrelationId. Needs Global Administrator, Billing Administrator or Global Reader.

    .PARAMETER First
        Stops after this many entries. Without it, every entry is read.

    .PARAMETER Top
        How many entries each page holds, 1 to 1000 (the service's default is 100). Without it and with -First up
        to 1000, the page size is -First, so a single request suffices.

    .PARAMETER Token
        An access token to use for this call instead of the one Connect-MSCommerce obtained. With -Token the
        command works without Connect-MSCommerce; the service address is then $env:MSCOMMERCE_URI, or
        http://localhost:8080.

    .EXAMPLE
        Get-MSCommerceAuditLog -First 20

        Shows the 20 most recent changes.

    .EXAMPLE
        Get-MSCommerceAuditLog | Where-Object -Property TargetId -EQ 'CFQ7TTC0H9MP'

        Shows every change made to Power BI Pro.

    .EXAMPLE
        Get-MSCommerceAuditLog | Where-Object -Property ChangedAt -GT (Get-Date).ToUniversalTime().AddDays(-7) | Export-Csv -Path './changes.csv' -NoTypeInformation

        Exports the changes of the last seven days.

    .EXAMPLE
        Get-MSCommerceAuditLog -AllEvents | Where-Object -Property Action -In 'UsersMoved', 'SubscriptionCancelled'

        Shows every take-over: users moved to a central subscription, and self-service subscriptions cancelled.

    .EXAMPLE
        Get-MSCommerceAuditLog -AllEvents -First 50 | Group-Object -Property Action | Sort-Object -Property Count -Descending

        Counts the 50 most recent events by kind.

    .INPUTS
        None.

    .OUTPUTS
        MSCommerce.AuditEntry. Properties: Id, ChangedAt, PolicyId, Scope, TargetId, TargetName, OldValue,
        NewValue, ActorId, ActorName, ActorType, CorrelationId.
        With -AllEvents, MSCommerce.AuditEvent. Properties: Id, OccurredAt, Action, TargetType, TargetId,
        TargetName, OldValue, NewValue, ActorId, ActorName, ActorType, CorrelationId.
    #>
    [CmdletBinding()]
    [OutputType('MSCommerce.AuditEntry', 'MSCommerce.AuditEvent')]
    param(
        [Parameter()]
        [switch]$AllEvents,

        [Parameter()]
        [ValidateRange(1, [int]::MaxValue)]
        [int]$First,

        [Parameter()]
        [ValidateRange(1, 1000)]
        [int]$Top,

        [Parameter()]
        [string]$Token
    )

    $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState

    $query = @{}
    if ($PSBoundParameters.ContainsKey('Top')) {
        $query['top'] = $Top
    }
    elseif ($First -gt 0 -and $First -le 1000) {
        $query['top'] = $First
    }

    $splatRest = @{
        Method         = 'GET'
        Path           = '/v1.0/auditLogs/policyChanges'
        Query          = $query
        FollowNextLink = $true
        First          = $First
        Token          = $Token
        ErrorContext   = 'Failed to retrieve audit log'
    }
    $splatEvents = @{
        Method         = 'GET'
        Path           = '/v1.0/auditLogs/events'
        Query          = $query
        FollowNextLink = $true
        First          = $First
        Token          = $Token
        ErrorContext   = 'Failed to retrieve audit log'
    }
    try {
        # A pipeline, not foreach: entries leave as each page arrives, so Select-Object -First stops the paging.
        if ($AllEvents) {
            Invoke-MSCommerceRestMethod @splatEvents | ForEach-Object -Process {
                ConvertTo-MSCommerceAuditEvent -InputObject $_
            }
        }
        else {
            Invoke-MSCommerceRestMethod @splatRest | ForEach-Object -Process {
                ConvertTo-MSCommerceAuditEntry -InputObject $_
            }
        }
    }
    catch {
        Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
    }
}
