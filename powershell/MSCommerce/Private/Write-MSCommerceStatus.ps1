function Write-MSCommerceStatus {
    <#
    .SYNOPSIS
        Shows a status line such as "Connection established successfully" without writing to the pipeline.

    .DESCRIPTION
        Microsoft's module 2.x prints its status lines with Write-Host (1.x wrote them to the pipeline, where
        they mixed with the objects). This function writes them to the information stream as host messages
        tagged PSHOST and MSCommerce, like Write-Host does: they are shown by default, never reach the pipeline,
        can be captured with -InformationVariable or 6>&1, and are dropped with -InformationAction Ignore or
        6>$null.

    .PARAMETER Message
        The status line.

    .EXAMPLE
        Write-MSCommerceStatus -Message 'Connection established successfully'

        Shows the line on the console.

    .OUTPUTS
        None.
    #>
    [CmdletBinding()]
    [OutputType([void])]
    param(
        [Parameter(Mandatory)]
        [string]$Message
    )

    if ($InformationPreference -eq 'Ignore') {
        return
    }
    # Like Write-Host: shown unless asked otherwise, so the default SilentlyContinue still shows the line.
    $action = 'Continue'
    if ($InformationPreference -ne 'SilentlyContinue') {
        $action = [string]$InformationPreference
    }
    $hostMessage = New-Object -TypeName System.Management.Automation.HostInformationMessage
    $hostMessage.Message = $Message
    $splatInformation = @{
        MessageData       = $hostMessage
        Tags              = @('PSHOST', 'MSCommerce')
        InformationAction = $action
    }
    Write-Information @splatInformation
}
