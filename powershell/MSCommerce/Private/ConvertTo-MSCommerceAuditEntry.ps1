function ConvertTo-MSCommerceAuditEntry {
    <#
    .SYNOPSIS
        Turns an audit log item of the service into an MSCommerce.AuditEntry object.

    .DESCRIPTION
        Copies the fields with PascalCase names and turns changedAt into a UTC DateTime. PowerShell 7's
        ConvertFrom-Json already returns a DateTime for it and Windows PowerShell 5.1 a string; both become the
        same value.

    .PARAMETER InputObject
        One audit item as the service returns it.

    .EXAMPLE
        ConvertTo-MSCommerceAuditEntry -InputObject $item

        Returns an MSCommerce.AuditEntry object.

    .OUTPUTS
        MSCommerce.AuditEntry.
    #>
    [CmdletBinding()]
    [OutputType('MSCommerce.AuditEntry')]
    param(
        [Parameter(Mandatory)]
        [psobject]$InputObject
    )

    [pscustomobject]@{
        PSTypeName    = 'MSCommerce.AuditEntry'
        Id            = [string]$InputObject.id
        ChangedAt     = ConvertTo-MSCommerceUtcDateTime -Value $InputObject.changedAt
        PolicyId      = [string]$InputObject.policyId
        Scope         = [string]$InputObject.scope
        TargetId      = [string]$InputObject.targetId
        TargetName    = [string]$InputObject.targetName
        OldValue      = [string]$InputObject.oldValue
        NewValue      = [string]$InputObject.newValue
        ActorId       = [string]$InputObject.actorId
        ActorName     = [string]$InputObject.actorName
        ActorType     = [string]$InputObject.actorType
        CorrelationId = [string]$InputObject.correlationId
    }
}
