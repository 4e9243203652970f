function ConvertTo-MSCommerceAuditEvent {
    <#
    .SYNOPSIS
        Turns an event of GET /v1.0/auditLogs/events into an MSCommerce.AuditEvent object.

    .DESCRIPTION
        Keeps the service's fields under PowerShell names, with OccurredAt as a UTC DateTime.

    .PARAMETER InputObject
        One event as the service answers it.

    .EXAMPLE
        ConvertTo-MSCommerceAuditEvent -InputObject $event

        Converts one audit event.

    .OUTPUTS
        MSCommerce.AuditEvent.
    #>
    [CmdletBinding()]
    [OutputType('MSCommerce.AuditEvent')]
    param(
        [Parameter(Mandatory)]
        [psobject]$InputObject
    )

    # ActorTenantId: a partner's user or app acted (its tenant); OnBehalfOfTenantId: in the partner's own log, the
    # customer it acted for. Both empty otherwise.
    [pscustomobject]@{
        PSTypeName         = 'MSCommerce.AuditEvent'
        Id                 = [string]$InputObject.id
        OccurredAt         = ConvertTo-MSCommerceUtcDateTime -Value $InputObject.occurredAt
        Action             = [string]$InputObject.action
        TargetType         = [string]$InputObject.targetType
        TargetId           = [string]$InputObject.targetId
        TargetName         = [string]$InputObject.targetName
        OldValue           = [string]$InputObject.oldValue
        NewValue           = [string]$InputObject.newValue
        ActorId            = [string]$InputObject.actorId
        ActorName          = [string]$InputObject.actorName
        ActorType          = [string]$InputObject.actorType
        CorrelationId      = [string]$InputObject.correlationId
        ActorTenantId      = [string]$InputObject.actorTenantId
        OnBehalfOfTenantId = [string]$InputObject.onBehalfOfTenantId
    }
}
