function ConvertTo-MSCommerceErrorRecord {
    <#
    .SYNOPSIS
        Turns a failed Invoke-WebRequest into the module's ErrorRecord.

    .DESCRIPTION
        Reads status, body and cause with Get-MSCommerceFailureInfo (which hides the differences between Windows
        PowerShell 5.1 and PowerShell 7) and builds the record with New-MSCommerceHttpErrorRecord.

    .PARAMETER Failure
        The ErrorRecord caught around Invoke-WebRequest.

    .PARAMETER Context
        The first part of the message, as in Microsoft's module.

    .PARAMETER TargetObject
        What the request was about.

    .PARAMETER CorrelationId
        The x-ms-correlation-id the request carried.

    .PARAMETER Uri
        The URL of the request.

    .EXAMPLE
        ConvertTo-MSCommerceErrorRecord -Failure $_ -Context 'Failed to retrieve policies' -CorrelationId $id -Uri $uri

        Returns the ErrorRecord to throw.

    .OUTPUTS
        System.Management.Automation.ErrorRecord.
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory)]
        [object]$Failure,

        [Parameter(Mandatory)]
        [string]$Context,

        [object]$TargetObject,

        [string]$CorrelationId,

        [string]$Uri
    )

    $info = Get-MSCommerceFailureInfo -Failure $Failure
    $splatRecord = @{
        StatusCode       = $info.StatusCode
        Body             = $info.Body
        ExceptionMessage = $info.ExceptionMessage
        IsTimeout        = $info.IsTimeout
        InnerException   = $info.Exception
        Context          = $Context
        TargetObject     = $TargetObject
        CorrelationId    = $CorrelationId
        Uri              = $Uri
    }
    return New-MSCommerceHttpErrorRecord @splatRecord
}
